"""gunicorn's threaded worker, telling the app when each request reached the service.

Under a burst (every provider's bid in a deadline's last second) a request waits for a free
thread, and on a busy machine even the worker's main loop is slow to take connections in:
judged by when the app got to it, a bid sent in time is refused. So the time a request
arrived is read from the kernel, which stamps each packet as it comes in (SO_TIMESTAMP, on
Linux): the arrival of the request's first bytes, plus however long the thread then spent
reading the rest (a client that trickles its bytes gains nothing). Where the kernel gives no
stamp, the moment the main loop took the request in stands in for it. Nothing a client sends
sets this time. The app reads it from the WSGI environ (RECEIVED_AT), which no header can set;
gunicorn.conf.py names this worker and dps.middleware.received_at uses the time."""

import contextlib
import socket
import struct
import sys
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

RECEIVED_AT = "dps.received_at"  # epoch seconds, in the WSGI environ
# Linux's SO_TIMESTAMP (its control message is SCM_TIMESTAMP, a struct timeval); Python's
# socket module does not name it.
SO_TIMESTAMP = 29 if sys.platform.startswith("linux") else None
TIMEVAL = struct.Struct("@ll")
_thread = threading.local()


def arrival(sock):
    """When the kernel received the first unread bytes on the socket, or None (no bytes yet,
    no stamp, or a socket that cannot be peeked at, such as a TLS one)."""
    if SO_TIMESTAMP is None:
        return None
    try:
        _data, ancillary, _flags, _address = sock.recvmsg(
            1, socket.CMSG_SPACE(TIMEVAL.size), socket.MSG_PEEK | socket.MSG_DONTWAIT
        )
    except (OSError, ValueError, NotImplementedError):
        return None
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(data) >= TIMEVAL.size:
            seconds, microseconds = TIMEVAL.unpack(data[: TIMEVAL.size])
            return seconds + microseconds / 1e6
    return None


class ReceiptStampingWorker(ThreadWorker):
    def init_process(self):
        # Accepted connections inherit the option from their listener.
        if SO_TIMESTAMP is not None:
            for listener in self.sockets:
                with contextlib.suppress(OSError):
                    listener.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
        super().init_process()

    def enqueue_req(self, conn):
        # Main loop: the request (or its connection) is here; the fallback stamp.
        conn.dps_taken_in_at = time.time()
        super().enqueue_req(conn)

    def handle(self, conn):
        # A worker thread: the wait for it ends here; reading the request starts.
        _thread.picked_up_at = time.time()
        _thread.arrived_at = arrival(conn.sock) or getattr(conn, "dps_taken_in_at", None)
        try:
            return super().handle(conn)
        finally:
            _thread.arrived_at = None

    def load_wsgi(self):
        super().load_wsgi()
        app = self.wsgi

        def stamped(environ, start_response):
            arrived_at = getattr(_thread, "arrived_at", None)
            if arrived_at is not None:
                environ[RECEIVED_AT] = arrived_at + (time.time() - _thread.picked_up_at)
            return app(environ, start_response)

        self.wsgi = stamped
