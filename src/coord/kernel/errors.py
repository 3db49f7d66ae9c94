"""Domain errors, and their translation to RFC 9457 problem+json.

Services raise these; they know nothing of HTTP. The plugin maps every
exception, ours and Litestar's, to one problem shape: `type`, `title`, `status`,
`detail`, and `errors` (field-level) for 400 and 422.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from coord.i18n import N_

PROBLEM_BASE = "urn:coord:problem:"


class FieldError(dict):
    """One field-level error: {"field": "rrule", "message": "..."}."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field=field, message=message)


class DomainError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = N_("The request cannot be processed")

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        slug: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra or {}
        if slug:
            self.slug = slug


class BadRequest(DomainError):
    status, slug, title = 400, "bad-request", N_("The request is not valid")


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", N_("Authentication is required")

    def __init__(self, detail: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="coord"'})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", N_("You do not have permission for this")


class NotFound(DomainError):
    status, slug, title = 404, "not-found", N_("Not found")


class Conflict(DomainError):
    status, slug, title = 409, "conflict", N_("This conflicts with the current state")


class Unprocessable(DomainError):
    status, slug, title = 422, "validation-failed", N_("The request is well-formed but not acceptable")

    def __init__(self, detail: str, *, field: str | None = None, **kwargs: Any) -> None:
        if field and "errors" not in kwargs:
            kwargs["errors"] = [FieldError(field, detail)]
        super().__init__(detail, **kwargs)


class TooManyRequests(DomainError):
    status, slug, title = 429, "rate-limited", N_("Too many requests")

    def __init__(self, detail: str, *, retry_after: int, **kwargs: Any) -> None:
        kwargs["headers"] = {"Retry-After": str(retry_after)}
        super().__init__(detail, **kwargs)


class ServiceUnavailable(DomainError):
    status, slug, title = 503, "unavailable", N_("The service is briefly unavailable")

    def __init__(self, detail: str, *, retry_after: int = 5, **kwargs: Any) -> None:
        kwargs["headers"] = {"Retry-After": str(retry_after)}
        super().__init__(detail, **kwargs)


def status_title(status: int) -> str:
    """A problem's title for a status (translated where the problem is made): coord's own when
    a DomainError has that status, so a 404 or 401 from the framework reads as coord's do,
    else HTTP's words."""
    own = next((cls.title for cls in _OWN if cls.status == status), None)
    if own is not None:
        return own
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def status_slug(status: int) -> str:
    """A problem's type for a status: coord's own when a DomainError has that status, so a 429
    from the framework's rate limiter and one from coord's account lock are one type for a
    client to match; else HTTP's words ("payload-too-large")."""
    own = next((cls.slug for cls in _OWN if cls.status == status), None)
    if own is not None:
        return own
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-")
    except ValueError:
        return "error"


_OWN = (BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Unprocessable, TooManyRequests, ServiceUnavailable)
