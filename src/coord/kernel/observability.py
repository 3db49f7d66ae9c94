"""Structured JSON logs and a request id that follows a change end to end.

The request id is taken from `X-Request-ID` (when it looks sane) or made up,
stored with every outbox row, passed to the job, and printed on every log line,
so an operator can follow one signup from the request to the email.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import queue
import random
import re
import sys
import threading
import time
from contextvars import ContextVar
from logging.handlers import QueueHandler, QueueListener
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str | None] = ContextVar("coord_request_id", default=None)
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Feed URLs carry their secret in the path: never log it.
_FEED_PATH = re.compile(r"/feeds/[^/?]+")


def current_request_id() -> str | None:
    return request_id_var.get()


def redact_path(path: str) -> str:
    return _FEED_PATH.sub("/feeds/[redacted]", path)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key in ("outbox_id", "event_id", "job", "kind", "status", "duration_ms", "method", "path"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


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


class _BatchingQueueHandler(QueueHandler):
    """Hands records to the writer thread a batch per turn of the event loop. One hand-off
    per record woke the thread (which then took the GIL from the server) on every request:
    it cost more than the request's own work on `/health`. Outside a running loop, or in
    another thread, a record goes at once."""

    def __init__(self, log_queue: "queue.SimpleQueue[Any]") -> None:
        super().__init__(log_queue)  # type: ignore[arg-type]
        self._local = threading.local()

    def enqueue(self, record: logging.LogRecord) -> None:
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
            self.queue.put_nowait([record])
            return
        local.pending, local.loop = [record], loop
        loop.call_soon(self.hand_over)

    def hand_over(self) -> None:
        batch, self._local.pending = getattr(self._local, "pending", None), None
        if batch:
            self.queue.put_nowait(batch)


class _BatchStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes a batch of records with one write and one flush."""

    def handle_batch(self, records: list[logging.LogRecord]) -> None:
        lines = []
        for record in records:
            try:
                lines.append(self.format(record))
            except Exception:  # a record that cannot be formatted must not lose its batch
                self.handleError(record)
        if lines:
            with self.lock:  # type: ignore[union-attr]
                self.stream.write(self.terminator.join(lines) + self.terminator)
                self.flush()


class _BatchListener(QueueListener):
    def handle(self, record: Any) -> None:
        for handler in self.handlers:
            handler.handle_batch(record)  # type: ignore[attr-defined]


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr, written by a background thread so the event loop
    never waits on the terminal or a log collector's pipe."""
    global _listener
    if _listener is not None:
        _listener.stop()
    handler = _BatchStreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    log_queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
    _listener = _BatchListener(log_queue, handler, respect_handler_level=False)
    _listener.start()
    queue_handler = _BatchingQueueHandler(log_queue)

    def flush_and_stop(listener: QueueListener = _listener) -> None:
        queue_handler.hand_over()
        listener.stop()

    atexit.register(flush_and_stop)
    root = logging.getLogger()
    root.handlers[:] = [queue_handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "_granian", "granian.access", "arq.worker", "aiosmtpd", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


access_log = logging.getLogger("coord.access")


async def with_request_id(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Sets the request id, echoes it in `X-Request-ID`, and writes one access line.

    Wraps the whole application (outside Litestar's exception handling), so error
    responses carry the id and the access line logs their real status.
    """
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    incoming = next((v for k, v in scope.get("headers") or () if k == b"x-request-id"), b"").decode("latin-1")
    # 128 random bits as a uuid4's hex would be, from the process's generator (reseeded in
    # each forked worker) rather than the kernel's: a syscall per request showed in profiles.
    request_id = incoming if SAFE_REQUEST_ID.match(incoming) else f"{random.getrandbits(128):032x}"  # nosec B311: an id, not a secret
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 500
    async def send_with_id(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers") or [])
            headers.append((b"x-request-id", request_id.encode()))
            message["headers"] = headers  # type: ignore[typeddict-unknown-key]
        await send(message)
    try:
        await app(scope, receive, send_with_id)
    finally:
        access_log.info(
            "%s %s %s",
            scope["method"],
            redact_path(scope["path"]),
            status,
            extra={
                "method": scope["method"],
                "path": redact_path(scope["path"]),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        request_id_var.reset(token)
