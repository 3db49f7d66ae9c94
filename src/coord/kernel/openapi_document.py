"""The API description says what coord really answers, and validates as OpenAPI 3.1.

Litestar documents bad input as its own ValidationException shape (`status_code`,
`detail`, `extra`, whose type `[null, object, array]` with `additionalProperties` strict
client generators cannot read); coord answers every error as an RFC 9457 problem
(kernel/problems.py). And Litestar 2 gives the HTTP Bearer scheme a `name`, which only
apiKey schemes may carry (Litestar issue 5050, fixed after the 2.x line). Both are
corrected once, on the built document, before anyone reads it.
"""

from __future__ import annotations

import re

from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.URI, description="what kind of problem"),
        "title": Schema(type=OpenAPIType.STRING, description="the kind, in words"),
        "status": Schema(type=OpenAPIType.INTEGER, description="the HTTP status"),
        "detail": Schema(type=OpenAPIType.STRING, description="this occurrence, in words: what to fix"),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            description="field-level problems (400 and 422)",
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={
                    "field": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                    "source": Schema(one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)]),
                },
            ),
        ),
    },
    description="An RFC 9457 problem; a problem may carry more members (e.g. required_training).",
)


def problem_response(description: str) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description,
        content={PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
    )


# What an API operation may answer besides success, always as a problem: every one may
# meet bad input, a missing object, a refused rule or an outage; signed-in ones a missing
# or expired token and a role without the right; changes a conflict.
EVERY_OPERATION = {"400": "The request is not valid", "404": "Not found, or not yours to see",
                   "422": "The request breaks a rule (the detail says which)", "503": "Briefly unavailable; try again"}
SIGNED_IN = {"401": "Sign in: the bearer token is missing, expired or revoked", "403": "Your role does not allow this"}
CHANGES = {"409": "Conflicts with the current state (the detail says how)"}


def correct(document: OpenAPI, public_paths: list[str]) -> OpenAPI:
    """Problems for every error response of the API; no `name` on HTTP security schemes;
    the operations under `public_paths` (regular expressions) say they need no token."""
    public = [re.compile(pattern) for pattern in public_paths]
    components = document.components
    if isinstance(components, list):  # Litestar allows a list; coord builds one Components
        raise TypeError("expected one Components object")
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM}
    for scheme in (components.security_schemes or {}).values():
        if getattr(scheme, "type", None) == "http":
            scheme.name = None  # type: ignore[union-attr]
    for path, path_item in (document.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch", "options", "head", "trace"):
            operation = getattr(path_item, method, None)
            if operation is None or not operation.responses:
                continue
            if any(pattern.search(path) for pattern in public):
                operation.security = []
            if path.startswith("/api/"):
                signed_in = operation.security != []
                expected = {**EVERY_OPERATION, **(SIGNED_IN if signed_in else {}),
                            **(CHANGES if method in ("put", "post", "patch", "delete") else {})}
                for status, text in expected.items():
                    operation.responses.setdefault(status, problem_response(text))
            for status in list(operation.responses):
                if status.startswith(("4", "5")):
                    described = operation.responses[status]
                    text = getattr(described, "description", "") or "a problem"
                    operation.responses[status] = problem_response(text)
    return document
