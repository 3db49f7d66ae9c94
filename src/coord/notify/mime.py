"""MIME parts written straight as the text the email package would flatten them to.

Building an invite with MIMEText/MIMEMultipart/MIMEApplication (set_payload, set_charset,
set_param, add_header, each parsing and rewriting headers) and then flattening that tree
(a generator, a policy clone and a header fold per part) was ~250 us of a worker's CPU per
invite. Here a leaf is its headers as compat32 stores them (same order, quirks included) and
its base64 lines; a multipart's body is its parts already written out. The message handed
on is still a compat32 `Message` (callers set headers on it, the mailer flattens it): when
it is a multipart its payload is that text, which the generator writes as it is, so only
its own headers are folded when it is sent.

The text is written with "\\n" line ends, as compat32 (what `as_bytes` and the mailer's
flatten use) writes them; a flatten with another linesep would not rewrite it.
tests/notify/test_mime_text.py compares the bytes, for every kind of message coord sends,
with those of the email package's classes.
"""

from __future__ import annotations

import base64
from email import policy as email_policy
from email.charset import Charset
from email.message import Message
from email.utils import encode_rfc2231, quote
from typing import NamedTuple

UTF8 = Charset("utf-8")  # what MIMEText(..., "utf-8") keeps as the part's charset; never changed after


class Part(NamedTuple):
    headers: list[tuple[str, str]]  # as a compat32 Message holds them, in its order
    body: str  # what the generator writes below them
    charset: Charset | None = None


def _header(name: str, value: str) -> str:
    """The header as compat32 folds it at 78 columns. Short ASCII values come out as they are;
    so does a parameter moved to a second line ("multipart/alternative;\\n boundary=...")
    when each half fits and "; " is the only place Header could break the value."""
    if value.isascii() and value.isprintable():
        if len(name) + 2 + len(value) <= 78:
            return f"{name}: {value}\n"
        first, sep, rest = value.partition("; ")
        if (sep and len(name) + 3 + len(first) <= 78 and len(rest) + 1 <= 78
                and not any(c in first or c in rest for c in ";, ")):
            return f"{name}: {first};\n {rest}\n"
    return email_policy.compat32.fold(name, value)


def _param(name: str, value: str) -> str:
    """A parameter as Message.add_header writes it: quoted, or RFC 2231 when not ASCII."""
    if not value:
        return name
    if not value.isascii():
        return f"{name}*={encode_rfc2231(value, 'utf-8', '')}"
    return f'{name}="{quote(value)}"'


def text(content: str, subtype: str, method: str | None = None) -> Part:
    """MIMEText(content, subtype, "utf-8"), and with a method its set_param("method", ...),
    which moves Content-Type after the other two headers."""
    body = base64.encodebytes(content.encode("utf-8")).decode("ascii")
    content_type = f'text/{subtype}; charset="utf-8"'
    if method is None:
        return Part([("Content-Type", content_type), ("MIME-Version", "1.0"),
                     ("Content-Transfer-Encoding", "base64")], body, UTF8)
    return Part([("MIME-Version", "1.0"), ("Content-Transfer-Encoding", "base64"),
                 ("Content-Type", f"{content_type}; {_param('method', method)}")], body, UTF8)


def application(data: bytes, subtype: str) -> Part:
    """MIMEApplication(data, subtype)."""
    return Part([("Content-Type", f"application/{subtype}"), ("MIME-Version", "1.0"),
                 ("Content-Transfer-Encoding", "base64")], base64.encodebytes(data).decode("ascii"))


def attached(part: Part, filename: str) -> Part:
    """The part with add_header("Content-Disposition", "attachment", filename=filename)."""
    return part._replace(headers=[*part.headers, ("Content-Disposition", f"attachment; {_param('filename', filename)}")])


def written(part: Part) -> str:
    """The part as the generator writes it inside a multipart: headers, a blank line, body."""
    return "".join([_header(name, value) for name, value in part.headers]) + "\n" + part.body


def multipart(subtype: str, boundary: str, parts: list[Part]) -> Part:
    """MIMEMultipart(subtype, boundary=boundary) with the parts attached, its body written out."""
    between = f"\n--{boundary}\n"
    body = f"--{boundary}\n" + between.join([written(part) for part in parts]) + f"\n--{boundary}--\n"
    return Part([("Content-Type", f'multipart/{subtype}; boundary="{boundary}"'), ("MIME-Version", "1.0")], body)


def message(part: Part) -> Message:
    """The part as the Message that is sent; its caller adds From, To, Subject..."""
    built = Message()
    built._headers = list(part.headers)
    built._payload = part.body
    built._charset = part.charset
    return built
