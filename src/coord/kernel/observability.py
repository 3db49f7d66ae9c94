"""Structured JSON logs and a request id that follows a change end to end.

The request id is taken from `X-Request-ID` (when it looks sane) or made up,
stored with every outbox row, passed to the job, and printed on every log line,
so an operator can follow one signup from the request to the email.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import re
import sys
import time
import uuid
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


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr, written by a background thread so the event loop
    never waits on the terminal or a log collector's pipe."""
    global _listener
    if _listener is not None:
        _listener.stop()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    log_queue: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _listener = QueueListener(log_queue, handler, respect_handler_level=False)
    _listener.start()
    atexit.register(_listener.stop)
    root = logging.getLogger()
    root.handlers[:] = [QueueHandler(log_queue)]
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
    incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
    request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
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
