"""An open-loop HTTP load generator: requests start at a constant rate whatever the server's
answers, so a slow server meets a growing queue, as it would in production; a closed loop
(each client waiting for its answer before the next) would slow down with the server and hide
its latency.

A scheduler thread hands each request to a pool of threads at its start time. Each pool thread
keeps one HTTP/1.1 connection (http.client, keep-alive). A request's latency runs from the time
it was due, not from when a thread was free to send it, so a generator that falls behind adds
its delay to the figure instead of hiding it. It is kept light (the standard library, no
parsing beyond the status and the body's length) because it shares the machine's cores with
the server; run() reports the CPU time it used."""

import http.client
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Sample:
    name: str
    due: float  # the monotonic time it was scheduled to start
    ms: float  # from `due` to the last byte of the answer
    status: int  # 0 when it failed without an answer (timeout, refused)
    size: int = 0

    @property
    def ok(self):
        return 200 <= self.status < 300


@dataclass
class Run:
    rate: float
    seconds: float
    samples: list
    cpu_s: float  # this process's CPU time over the run (all its threads)
    wall_s: float

    @property
    def errors(self):
        return sum(not s.ok for s in self.samples)


class Worker(threading.Thread):
    def __init__(self, host, port, jobs, out, timeout):
        super().__init__(daemon=True)
        self.host, self.port, self.jobs, self.out, self.timeout = host, port, jobs, out, timeout
        self.connection = None

    def connect(self):
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def send(self, path, headers):
        """(status, size); reconnects once when the server closed an idle connection."""
        for attempt in (1, 2):
            reused = self.connection is not None
            if not reused:
                self.connect()
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.connection.close()
                    self.connection = None
                return response.status, len(body)
            except RETRYABLE:
                self.connection.close()
                self.connection = None
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            due, name, path, headers = job
            try:
                status, size = self.send(path, headers)
            except (OSError, http.client.HTTPException):
                if self.connection is not None:
                    self.connection.close()
                    self.connection = None
                status, size = 0, 0
            self.out.append(Sample(name, due, (time.monotonic() - due) * 1000, status, size))


def run(base, requests, *, rate, seconds, threads=64, timeout=10.0):
    """Send `rate` requests a second for `seconds`, taking them in turn from `requests` (a
    list of (name, path, headers)). Returns a Run with one Sample per request."""
    url = urlsplit(base)
    jobs, samples = queue.SimpleQueue(), []
    workers = [Worker(url.hostname, url.port, jobs, samples, timeout) for _ in range(threads)]
    for worker in workers:
        worker.start()
    total = max(1, round(rate * seconds))
    cpu_start, start = time.process_time(), time.monotonic() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        name, path, headers = requests[i % len(requests)]
        jobs.put((due, name, path, headers))
    for _ in workers:
        jobs.put(None)
    for worker in workers:
        worker.join(timeout + 5)
    return Run(
        rate, seconds, list(samples), time.process_time() - cpu_start, time.monotonic() - start
    )
