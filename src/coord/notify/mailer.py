"""Mail transport: SMTP (`COORD_SMTP_URL`) or, unset, `.eml` files for development."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import os
import re
import uuid
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender, quote_address

from coord.kernel import clock
from coord.kernel.config import Settings


# Mail servers often quote the address they refuse ("550 <ana@x.org> unknown"): the text
# goes into logs and the failed-deliveries list, so addresses are taken out first.
_ADDRESS = re.compile(r"<?[^\s<>@\"']+@[^\s<>@\"']+>?")


def _without_addresses(text: str) -> str:
    return _ADDRESS.sub("<address>", text)


class TransientMailError(Exception):
    """Try again later: the server is away or answered 4xx."""


class PermanentMailError(Exception):
    """Trying again will not help: the server answered 5xx."""


class _QuickFold(Compat32):
    """Compat32 (what aiosmtplib flattens a Message with), except that a header already ASCII and
    on one line within the limit is written as it is: Compat32 gives the same text, but only
    after building and splitting an email.header.Header, 60% of the time to flatten an invite.
    tests/notify/test_mail_bytes.py compares the bytes with aiosmtplib's own."""

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        if (isinstance(value, str) and self.max_line_length is not None
                and len(name) + 2 + len(value) <= self.max_line_length
                and value.isascii() and value.isprintable()):  # no tab, line break or other control
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_FOLD = _QuickFold()


def flatten(message: Message, cte_type: str = "8bit") -> bytes:
    """The message as aiosmtplib's send_message would send it (without any Bcc)."""
    if message["Bcc"] is not None or message["Resent-Bcc"] is not None:
        message = copy.copy(message)
        del message["Bcc"]
        del message["Resent-Bcc"]
    with io.BytesIO() as out:
        BytesGenerator(out, policy=QUICK_FOLD if cte_type == "8bit" else QUICK_FOLD.clone(cte_type=cte_type)).flatten(message)
        return out.getvalue()


async def _submit(client: aiosmtplib.SMTP, message: Message) -> None:
    """aiosmtplib's send_message with the envelope taken from the headers the same way, and the
    message flattened by `flatten`."""
    sender, recipients = extract_sender(message), extract_recipients(message)
    if sender is None or not recipients:
        raise PermanentMailError("a message needs a From and a To header")
    if client.is_ehlo_or_helo_needed:
        await client.ehlo()
    options = []
    if not (sender + "".join(recipients)).isascii():
        if not client.supports_extension("smtputf8"):
            raise PermanentMailError("an address is not ASCII and the mail server does not take SMTPUTF8")
        options.append("SMTPUTF8")
    eight_bit = client.supports_extension("8BITMIME")
    if eight_bit:
        options.append("BODY=8BITMIME")
    await _sendmail(client, sender, recipients, flatten(message, "8bit" if eight_bit else "7bit"), options)


# An address email.utils.parseaddr gives back unchanged and aiosmtplib lets onto a command line
# (tests/notify/test_mail_bytes.py): aiosmtplib's quote_address need not parse it again.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


def _mailbox(address: str, encoding: str) -> bytes:
    """The address as aiosmtplib's MAIL and RCPT write it (ValueError where they refuse it)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return b"<" + address.encode() + b">"
    return quote_address(address).encode(encoding)


def _data_lines(flat: bytes) -> bytes:
    """The message as aiosmtplib's DATA sends it, before the closing dot: every line ending
    (lone CR and LF too) made CRLF, the message ended by one. bytes.replace where aiosmtplib
    runs a regular expression over the message, twice with the SIZE extension."""
    lines = flat.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    return lines if lines.endswith(b"\r\n") else lines + b"\r\n"


def _dot_stuffed(lines: bytes) -> bytes:
    """A line starting with "." gets one more (RFC 5321 4.5.2), as aiosmtplib does."""
    return (b"." + lines if lines.startswith(b".") else lines).replace(b"\n.", b"\n..")


async def _sendmail(client: aiosmtplib.SMTP, sender: str, recipients: list[str], flat: bytes,
                    options: list[str]) -> None:
    """aiosmtplib's sendmail on a session that has said EHLO: the same commands, bytes, checks,
    exceptions and RSET after a refusal. Its sendmail parses each address twice with
    email.utils and runs regular expressions over the whole message three times (line endings
    twice, for SIZE and for DATA, dot-stuffing once): ~150 us of CPU more per invite."""
    encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
    mail_from = _mailbox(sender, encoding)  # every address checked before anything is sent
    rcpt_tos = [_mailbox(recipient, encoding) for recipient in recipients]
    lines = _data_lines(flat)
    if client.supports_extension("size"):
        options = [f"size={len(lines)}", *options]
    try:
        reply = await client.execute_command(b"MAIL", b"FROM:" + mail_from, *(o.encode("ascii") for o in options))
        if reply.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)
        refused = []
        for recipient, rcpt_to in zip(recipients, rcpt_tos):
            reply = await client.execute_command(b"RCPT", b"TO:" + rcpt_to)
            if reply.code not in (aiosmtplib.SMTPStatus.completed, aiosmtplib.SMTPStatus.will_forward):
                refused.append(aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient))
        if len(refused) == len(recipients):
            raise aiosmtplib.SMTPRecipientsRefused(refused)
        reply = await client.execute_command(b"DATA")
        if reply.code != aiosmtplib.SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)
        try:  # the message on the protocol itself: SMTP.data would scan it again
            if client.protocol is None:  # the server closed after its 354
                raise aiosmtplib.SMTPServerDisconnected("Connection lost")
            client.protocol.write(_dot_stuffed(lines) + b".\r\n")
            reply = await client.protocol.read_response(timeout=client.timeout)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            client.close()  # as SMTP.data: the session is in an unknown state
            raise
        if reply.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
        with contextlib.suppress(ConnectionError, aiosmtplib.SMTPResponseException):
            await client.rset()  # the next message on this session starts a clean envelope
        raise


class Mailer(Protocol):
    async def send(self, message: Message) -> None: ...


class SmtpMailer:
    """Keeps up to `connections` SMTP sessions open and reuses them: a connection,
    EHLO, STARTTLS and AUTH per message would cost more than the message."""

    def __init__(self, url: str, timeout: float = 15.0, connections: int = 4) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "localhost"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self.implicit_tls,
            # STARTTLS when the server offers it; plain on loopback sinks that do not.
            start_tls=None if not self.implicit_tls else False,
            timeout=self.timeout,
        )
        await client.connect()
        if self.username:
            await client.login(self.username, self.password or "")
        return client

    async def _send_pooled(self, message: Message) -> None:
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            try:
                if client is None or not client.is_connected:
                    client = await self._connect()
                try:
                    await _submit(client, message)
                except aiosmtplib.SMTPServerDisconnected:
                    client = await self._connect()  # a reused session the server had closed
                    await _submit(client, message)
                self._idle.append(client)
            except BaseException:
                if client is not None:
                    client.close()  # after an error the session's state is unknown: start afresh
                raise

    async def send(self, message: Message) -> None:
        try:
            await self._send_pooled(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [err.code for err in exc.recipients]
            if codes and all(code >= 500 for code in codes):
                raise PermanentMailError(f"recipient refused: {codes}") from exc
            raise TransientMailError(f"recipient deferred: {codes}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            reply = _without_addresses(f"{exc.code} {exc.message}")
            if exc.code >= 500:
                raise PermanentMailError(reply) from exc
            raise TransientMailError(reply) from exc
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise TransientMailError(_without_addresses(f"{type(exc).__name__}: {exc}")) from exc

    async def close(self) -> None:
        while self._idle:
            client = self._idle.pop()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


class FileMailer:
    """Development sink: one .eml file per message, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: Message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        final = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        tmp = final.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, final)


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url)
    return FileMailer(settings.mail_dir)
