"""HTTP problems (RFC 9457): how domain errors, Litestar's HTTP errors and anything
unexpected become problem+json. The API's plugin and the pages' error handlers share it."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsException

from coord.i18n import N_, gettext as _
from coord.i18n.plain import plain_message
from coord.kernel.errors import PROBLEM_BASE, BadRequest, DomainError, ServiceUnavailable, status_slug, status_title
from coord.kernel.secret_paths import redact_path
from coord.kernel.outages import is_outage

log = logging.getLogger("coord.errors")
UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
JSON_PATH = re.compile(r"at `\$\.([^`]+)`")
MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


def _problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> ProblemDetailsException:
    headers = extra.pop("headers", None)
    if status in (400, 422):
        extra.setdefault("errors", [])
    # The title in the request's language too (RFC 9457 allows it): it is what a client shows
    # first; `type` stays the same in every language for code to match.
    return ProblemDetailsException(
        status_code=status, type_=PROBLEM_BASE + slug, title=_(title), detail=detail, extra=extra or None,
        headers=headers,
    )


def domain_problem(exc: DomainError) -> ProblemDetailsException:
    extra = dict(exc.extra)
    if exc.errors is not None:
        extra["errors"] = list(exc.errors)
    return _problem(exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers, **extra)


def _field_errors(raw: Any) -> list[dict[str, Any]]:
    errors = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", "invalid"))
            unknown = UNKNOWN_FIELD.search(message)
            field = unknown.group(1) if unknown else (item.get("key") or "body")
            if field == "data":  # Litestar's name for the whole body
                at = JSON_PATH.search(message)
                missing = MISSING_FIELD.search(message)
                field = at.group(1) if at else missing.group(1) if missing else "body"
            # What to fix in plain words (in the request's language), said for the field's own
            # name ("items[0].email": email); msgspec's words stay beside them, for a developer.
            name = re.split(r"[.\[]", field.split(".")[-1])[0]
            errors.append({"field": field, "message": plain_message(name, message), "source": item.get("source"),
                           "reason": message})
    return errors


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    status = exc.status_code
    detail = exc.detail or status_title(status)
    if isinstance(exc, ValidationException) or status == 400:
        errors = _field_errors(exc.extra)
        if not errors:
            # Not a field problem: the body itself could not be decoded.
            detail = _("the body is not valid JSON: %(reason)s") % {"reason": detail}
            errors = [{"field": "body", "message": detail, "source": "body"}]
        else:
            detail = "; ".join(_("%(field)s: %(message)s") % e for e in errors)
        # msgspec says "Object contains unknown field `x` - at `$`": keep it, it names the field.
        return _problem(400, "invalid-request", BadRequest.title, detail, errors=errors, headers=exc.headers)
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        # Litestar's limiter says when the window resets; clients look for Retry-After.
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
        detail = _("too many attempts from this client; wait and try again")
    if status == 413:
        detail = _("the request body is larger than the 1 MiB this API accepts")
    elif status == 404 and detail in ("", "Not Found"):  # the router's: no route has this path
        detail = _("there is nothing at this address; the API's description at /schema lists every path")
    elif status == 405:
        detail = _("this address does not take this method; the API's description at /schema says which it takes")
    return _problem(status, status_slug(status), status_title(status), detail, headers=headers)


def unavailable_problem(exc: Exception) -> ProblemDetailsException:
    log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
    return domain_problem(ServiceUnavailable(_("a database or queue is briefly unavailable; try again shortly")))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled %s on %s %s", type(exc).__name__, request.method, redact_path(request.url.path))
    problem = _problem(500, "internal-error", N_("Internal error"), _("something went wrong on our side; it has been logged"))
    return problem.to_response(request)


UNSTORABLE_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
    UnicodeEncodeError,
)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def exception_handler(request: Request, exc: Exception) -> Response:
    """Anything not an HTTPException: bad text (400), a dependency outage (503) or a bug (500)."""
    if isinstance(exc, BaseExceptionGroup):
        # Cleanup after a broken connection can raise several errors at once: an
        # outage anywhere in the group makes the whole request a 503.
        leaves = _leaves(exc)
        outage = next((leaf for leaf in leaves if is_outage(leaf)), None)
        if outage is not None:
            return unavailable_problem(outage).to_response(request)  # type: ignore[arg-type]
        if len(leaves) == 1 and isinstance(leaves[0], Exception):
            exc = leaves[0]
    if isinstance(exc, UNSTORABLE_TEXT):
        # NUL characters and lone surrogates are valid JSON but not storable text.
        detail = _("the request holds characters that cannot be stored (such as NUL or lone surrogates)")
        return _problem(400, "invalid-request", BadRequest.title, detail,
                        errors=[{"field": "body", "message": detail}]).to_response(request)
    if is_outage(exc):
        return unavailable_problem(exc).to_response(request)
    return internal_error_handler(request, exc)
