"""gunicorn's threaded worker, telling the app when each request reached the service.

Under a burst (every provider's bid in a deadline's last second) a request waits for a free
thread, and on a busy machine even the worker's main loop is slow to take connections in:
judged by when the app got to it, a bid sent in time is refused. So when a thread takes a
request that is already whole, the time it was received is read from the kernel, which stamps
each packet as it comes in (SO_TIMESTAMP, on Linux): the arrival of the request's last byte.
A request still coming in (a client trickling its bytes) is received when the thread has read
it, as without this worker. Where the kernel gives no stamps, the moment the main loop took the
request in, plus the time the thread spent reading it, stands in. Nothing a client sends sets
this time. The app reads it from the WSGI environ (RECEIVED_AT), which no header can set;
gunicorn.conf.py names this worker and dps.middleware.received_at uses the time."""

import contextlib
import re
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
# A bid, a question or any form is far smaller; a larger request is received when read.
PEEK_BYTES = 64 * 1024
CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d{1,12})[ \t]*$")
_thread = threading.local()


def arrival(sock):
    """When the kernel received the last byte of the request waiting whole on the socket, or
    None: no request yet, one not yet whole (its sender is still sending: it is received when
    the thread has read it), or no stamp (a socket that cannot be peeked at, such as a TLS
    one)."""
    if SO_TIMESTAMP is None:
        return None
    try:
        data, ancillary, _flags, _address = sock.recvmsg(
            PEEK_BYTES, socket.CMSG_SPACE(TIMEVAL.size), socket.MSG_PEEK | socket.MSG_DONTWAIT
        )
    except (OSError, ValueError, NotImplementedError):
        return None
    if not _whole_request(data):
        return None
    # The stamp of the last packet the peek read: when the request's last byte came in.
    for level, kind, stamp in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(stamp) >= TIMEVAL.size:
            seconds, microseconds = TIMEVAL.unpack(stamp[: TIMEVAL.size])
            return seconds + microseconds / 1e6
    return None


def _whole_request(data):
    """Whether `data` holds a whole HTTP/1 request: its headers and as many body bytes as its
    Content-Length says (a chunked body is never taken as whole)."""
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return False
    length = CONTENT_LENGTH.search(head)
    if b"chunked" in head.lower():
        return False
    return len(body) >= (int(length[1]) if length else 0)


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
        # A worker thread: the wait for it ends here.
        whole_at = arrival(conn.sock)
        if whole_at is not None:
            _thread.stamp = (whole_at, None)
        elif SO_TIMESTAMP is None and hasattr(conn, "dps_taken_in_at"):
            _thread.stamp = (conn.dps_taken_in_at, time.time())  # plus the time spent reading
        else:
            _thread.stamp = None
        try:
            return super().handle(conn)
        finally:
            _thread.stamp = None

    def load_wsgi(self):
        super().load_wsgi()
        app = self.wsgi

        def stamped(environ, start_response):
            stamp = getattr(_thread, "stamp", None)
            if stamp is not None:
                received, reading_since = stamp
                if reading_since is not None:
                    received += time.time() - reading_since
                environ[RECEIVED_AT] = received
            return app(environ, start_response)

        self.wsgi = stamped
