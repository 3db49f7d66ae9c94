"""Structured JSON logs and a request id that follows a change end to end.

The request id is taken from `X-Request-ID` (when it looks sane) or made up,
stored with every outbox row, passed to the job, and printed on every log line,
so an operator can follow one signup from the request to the email.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import queue
import random
import re
import sys
import threading
import time
from contextvars import ContextVar
from logging.handlers import QueueListener
from typing import TYPE_CHECKING, Any, Callable

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from coord.kernel.secret_paths import redact_path

if TYPE_CHECKING:  # not at run time: it imports prometheus_client, which must come after coord.runner sets its directory
    from coord.kernel.request_metrics import RequestMetrics

request_id_var: ContextVar[str | None] = ContextVar("coord_request_id", default=None)
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str | None:
    return request_id_var.get()


_FIELDS = ("outbox_id", "event_id", "job", "kind", "status", "duration_ms", "method", "path")
_json = msgspec.json.Encoder(enc_hook=str)  # anything else (a UUID, a path) as its text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, request_id and coord's fields."""

    _second: int = -1
    _stamp = ""

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # strftime once a second, not once a line
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key in _FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _json.encode(entry).decode()

    def access(self, created: float, request_id: str | None, method: str, path: str, status: int,
               duration_ms: float) -> str:
        """The access line `format` would write for coord.access's record of these values
        (a test holds the two to the same bytes), from a Struct: a dict per line cost more."""
        return _json.encode(_AccessLine(ts=self._timestamp(created), level="info", logger=ACCESS_LOGGER,
                                        msg=f"{method} {path} {status}", request_id=request_id or None,
                                        status=status, duration_ms=duration_ms, method=method, path=path)).decode()


class _AccessLine(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An access line's fields in `format`'s order (request_id only when there is one)."""

    ts: str
    level: str
    logger: str
    msg: str
    request_id: str | None = None
    status: int
    duration_ms: float
    method: str
    path: str


_listener: QueueListener | None = None


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every log record carries the request id of the context it was made in (the
    request, or the job that the request's event became), whatever handler writes it."""
    record = _base_factory(*args, **kwargs)
    if not hasattr(record, "request_id"):
        record.request_id = request_id_var.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)
# The JSON lines name no source file, thread or process: skip looking them up on every
# record (the logging HOWTO's "Optimization"; findCaller walks the stack each time).
logging._srcfile = None  # type: ignore[attr-defined]
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False


# How long a record made in an event loop may wait for the writer thread.
HAND_OVER_EVERY_S = 0.05


class _BatchingHandler(logging.Handler):
    """Formats records made in an event loop in batches, at most HAND_OVER_EVERY_S after
    the first, and hands the text to the writer thread, which only writes it. A record per
    hand-off woke the thread on every request, and formatting there made it take the GIL
    from the server: together they cost more than `/health`'s own work, and a fifth of
    `GET /me`'s server time. Outside a running loop a record goes at once; a batch left
    when its loop stopped goes with the next record, or at exit."""

    def __init__(self, log_queue: "queue.SimpleQueue[Any]") -> None:
        super().__init__()
        self.queue = log_queue
        self._local = threading.local()
        self.json = JsonFormatter()
        self.setFormatter(self.json)

    def emit(self, record: logging.LogRecord) -> None:
        self.add(record)

    def add(self, record: logging.LogRecord | tuple) -> None:
        """A record, or an access line's values (log_access), in the batch of this thread's loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        local = self._local
        if getattr(local, "pending", None):
            if local.loop is loop:
                local.pending.append(record)
                return
            self.hand_over()  # the batch of a loop that stopped before handing it over
        if loop is None:
            self.queue.put_nowait(self._text([record]))
            return
        local.pending, local.loop = [record], loop
        loop.call_later(HAND_OVER_EVERY_S, self.hand_over)

    def hand_over(self) -> None:
        batch, self._local.pending = getattr(self._local, "pending", None), None
        if batch:
            self.queue.put_nowait(self._text(batch))

    def _text(self, records: list[logging.LogRecord | tuple]) -> str:
        lines = []
        for record in records:
            try:
                lines.append(self.json.access(*record) if isinstance(record, tuple) else self.format(record))
            except Exception:  # a record that cannot be formatted must not lose its batch
                self.handleError(record)  # type: ignore[arg-type]
        return "".join(line + "\n" for line in lines)


class _Writer(QueueListener):
    """The thread that writes the batches' text to the stream."""

    def __init__(self, log_queue: "queue.SimpleQueue[Any]", stream: Any) -> None:
        super().__init__(log_queue)  # type: ignore[arg-type]
        self.stream = stream

    def handle(self, record: Any) -> None:
        if record:
            try:
                self.stream.write(record)
                self.stream.flush()
            except (OSError, ValueError):  # a closed or broken stream: nothing to log to
                pass


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr, written by a background thread so the event loop
    never waits on the terminal or a log collector's pipe."""
    global _listener
    if _listener is not None:
        _listener.stop()
    log_queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
    _listener = _Writer(log_queue, sys.stderr)
    _listener.start()
    global _handler
    handler = _handler = _BatchingHandler(log_queue)

    def flush_and_stop(listener: QueueListener = _listener) -> None:
        handler.hand_over()
        listener.stop()

    atexit.register(flush_and_stop)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "_granian", "granian.access", "arq.worker", "aiosmtpd", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


ACCESS_LOGGER = "coord.access"
access_log = logging.getLogger(ACCESS_LOGGER)
_handler: _BatchingHandler | None = None


def log_access(method: str, path: str, status: int, duration_ms: float) -> None:
    """One access line. While coord's own handler is the only one that would see it, the line's
    values go to that handler's batch as they are: a LogRecord per request (made, then kept
    until its batch is written) cost a tenth of `GET /me`'s server time. Any other handler,
    filter or level (a test's caplog, an operator's config) gets the record, as ever."""
    handler, root = _handler, logging.root
    if (handler is not None and len(root.handlers) == 1 and root.handlers[0] is handler and not root.filters
            and not handler.filters and handler.level <= logging.INFO and not access_log.handlers
            and not access_log.filters and access_log.propagate and access_log.isEnabledFor(logging.INFO)):
        handler.add((time.time(), request_id_var.get(), method, path, status, duration_ms))
        return
    access_log.info("%s %s %s", method, path, status,
                    extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms})


async def observe_request(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                          headers_for: Callable[[str, bool], tuple[tuple[bytes, bytes], ...]] | None = None,
                          metrics: RequestMetrics | None = None) -> None:
    """Sets the request id, echoes it in `X-Request-ID`, adds `headers_for(path, over_tls)`
    (the security headers) where the route set none of the same name, counts the request in
    `metrics` and writes one access line.

    Wraps the whole application (outside Litestar's exception handling), so error
    responses carry the id and the headers, and the access line and the metrics have their
    real status. One layer with one send wrapper for all four, reading the request's headers
    once: together they cost about a tenth of `GET /me`'s server time.
    """
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    incoming = b""
    over_tls = scope.get("scheme") == "https"
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            incoming = incoming or value
        elif name == b"x-forwarded-proto" and value.lower() == b"https":  # a proxy that says so
            over_tls = True
    incoming_id = incoming.decode("latin-1")
    # 128 random bits as a uuid4's hex would be, from the process's generator (reseeded in
    # each forked worker) rather than the kernel's: a syscall per request showed in profiles.
    request_id = incoming_id if SAFE_REQUEST_ID.match(incoming_id) else f"{random.getrandbits(128):032x}"  # nosec B311: an id, not a secret
    token = request_id_var.set(request_id)
    path = scope["path"]
    extra = headers_for(path, over_tls) if headers_for is not None else ()
    id_header = (b"x-request-id", request_id.encode())
    begun = metrics.begin(scope) if metrics is not None else None
    started = time.perf_counter()
    status = 500  # nothing answered: the server says 500
    answered = 0.0  # when the last part of the body went (Litestar's duration)

    async def send_with_id(message: Message) -> None:
        nonlocal status, answered
        kind = message["type"]
        if kind == "http.response.start":
            status = message["status"]
            headers = message.get("headers") or []
            if not isinstance(headers, list):  # any iterable, says ASGI; read twice here
                headers = list(headers)
            present = {name.lower() for name, _ in headers}
            message["headers"] = [*headers, *[h for h in extra if h[0] not in present], id_header]  # type: ignore[typeddict-unknown-key]
        elif kind == "http.response.body" and not message.get("more_body"):
            answered = time.perf_counter()
        await send(message)
    try:
        await app(scope, receive, send_with_id)
    finally:
        ended = time.perf_counter()
        if begun is not None:
            metrics.end(begun, status, (answered or ended) - started)  # type: ignore[union-attr]
        log_access(scope["method"], redact_path(path), status, round((ended - started) * 1000, 2))
        request_id_var.reset(token)
