"""The mailer flattens messages itself (coord.notify.mailer.flatten, a faster header fold) and
writes the SMTP transaction itself (coord.notify.mailer._sendmail, without aiosmtplib's second
parse of each address and regular expressions over the message): what goes over SMTP must be,
byte for byte, what aiosmtplib's send_message would have sent, with the same exceptions."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone
from email.message import Message

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from aiosmtplib.email import flatten_message, quote_address
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import given, settings, strategies as st

from coord.calendar import CalEvent, Calendar
from coord.embedded import free_port
from coord.kernel.config import Settings
from coord.notify.imip import imip_message
from coord.notify.mailer import SmtpMailer, _data_lines, _dot_stuffed, _mailbox, _submit, flatten
from coord.notify.messages import Sender, base_message

SETTINGS = Settings(secret_key="k" * 32, database_url="postgresql://x", redis_url="redis://x")
START = datetime(2027, 3, 14, 18, 0, tzinfo=timezone.utc)


def _invite(subject: str, sender: Sender, summary: str) -> Message:
    event = CalEvent(uid="u-1@coord", dtstamp=START, start=START, end=START + timedelta(hours=1), tzid="America/Chicago",
                     summary=summary, sequence=2, location="12 Main St", url="https://x.test/s",
                     description="Bring gloves. " * 12, organizer="mailto:o@x.test", attendee="mailto:a@x.test",
                     status="CONFIRMED")
    return imip_message(SETTINGS, to="volunteer@example.org", subject=subject, text="Hello Sam,\n" * 5,
                        html="<p>Hello</p>", calendar=Calendar(name=summary, events=(event,), method="REQUEST"),
                        sender=sender)


def test_real_messages_flatten_to_the_same_bytes():
    messages = [
        _invite("You're signed up: Food bank", Sender("Springfield Food Bank", "contact@x.org"), "Food bank"),
        _invite("Estás inscrita: Banco de alimentos, turno de la mañana del sábado en el centro comunitario",
                Sender("Banco de Alimentos", None), "Banco de alimentos"),
        _invite("تم تسجيلك: بنك الطعام", Sender("بنك الطعام", "contact@x.org"), "بنك الطعام"),
        _invite("A subject long enough to need folding onto a second line when it is written out: " * 2,
                Sender("coord"), "x"),
        base_message(SETTINGS, "a@x.test", "Welcome", "text only"),
    ]
    for message in messages:
        for cte in ("8bit", "7bit"):
            assert _outcome(flatten, message, cte) == _outcome(flatten_message, message, cte)


def test_a_bcc_is_never_written():
    message = base_message(SETTINGS, "a@x.test", "Hi", "text")
    message["Bcc"] = "hidden@x.test"
    assert b"hidden@x.test" not in flatten(message)
    assert message["Bcc"] == "hidden@x.test"  # the caller's message is left as it was


def _outcome(flattener, message, cte):
    try:
        return flattener(message, cte_type=cte) if flattener is flatten_message else flattener(message, cte)
    except Exception as exc:  # a value the generator refuses (an embedded header) is refused by both
        return type(exc), str(exc)


header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["Subject", "To", "X-Coord-Note", "Reply-To"]), value=header_text,
       ascii_value=st.text(st.characters(min_codepoint=9, max_codepoint=126), max_size=120))
def test_any_header_folds_as_compat32_folds_it(name, value, ascii_value):
    for text in (value, ascii_value):
        message = Message()
        message[name] = text
        message.set_payload("body")
        for cte in ("8bit", "7bit"):
            assert _outcome(flatten, message, cte) == _outcome(flatten_message, message, cte)


line_bytes = st.binary(max_size=200) | st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b".", b"..", b"a", b" "])).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(flat=line_bytes)
def test_data_lines_and_dot_stuffing_are_aiosmtplibs(flat):
    assert _data_lines(flat) == normalize_message_line_endings(flat)
    assert _dot_stuffed(flat) == PERIOD_REGEX.sub(b"..", flat)


def _quoted(address: str, encoding: str) -> object:
    try:
        return quote_address(address).encode(encoding)
    except (ValueError, UnicodeEncodeError) as exc:
        return type(exc)


def _mailbox_or_error(address: str, encoding: str) -> object:
    try:
        return _mailbox(address, encoding)
    except (ValueError, UnicodeEncodeError) as exc:
        return type(exc)


plain_text = st.text("abcXYZ019!#$%&'*+/=?^_`{|}~.-", min_size=1, max_size=12)


@settings(max_examples=500, deadline=None)
@given(local=plain_text, domain=st.text("aZ09.-", min_size=1, max_size=12), other=st.text(max_size=30),
       encoding=st.sampled_from(["ascii", "utf-8"]))
def test_addresses_are_written_as_aiosmtplib_writes_them(local, domain, other, encoding):
    for address in (f"{local}@{domain}", other, f"{other}@{domain}", f'"{other}"@{domain}'):
        assert _mailbox_or_error(address, encoding) == _quoted(address, encoding)


class _Server:
    """aiosmtpd's hooks: "m<code>@..." refused at MAIL and "r<code>@..." at RCPT with that code."""

    def __init__(self) -> None:
        self.data_reply = "250 OK"
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if code := re.fullmatch(r"m(\d{3})@.*", address):
            return f"{code[1]} sender {address} refused"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if code := re.fullmatch(r"r(\d{3})@.*", address):
            return f"{code[1]} recipient {address} refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return self.data_reply


class _Relay:
    """A TCP relay in front of the server that records what the client sends, per connection.
    With drop_at set, a connection is closed once the client has sent that `nth` time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sessions: list[bytearray] = []
        self.drop_at: bytes | None = None
        self.nth = 1
        self.relaying: list[asyncio.Task] = []

    async def __aenter__(self) -> _Relay:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.url = f"smtp://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await asyncio.wait(self.relaying)  # each ends when its client or the server hangs up

    def sent(self) -> list[bytes]:
        """What each connection carried, up to the point where it was dropped."""
        if self.drop_at is None:
            return [bytes(sent) for sent in self.sessions]
        return [bytes(sent[:_end_of(sent, self.drop_at, self.nth)]) for sent in self.sessions]

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sent = bytearray()
        self.sessions.append(sent)
        self.relaying.append(asyncio.current_task())
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)

        async def down() -> None:
            while data := await up_reader.read(65536):
                writer.write(data)
            writer.close()

        replies = asyncio.create_task(down())
        try:
            while data := await reader.read(65536):
                sent += data
                if self.drop_at is not None and sent.count(self.drop_at) >= self.nth:
                    break  # the server goes away without a word
                up_writer.write(data)
        finally:
            writer.close()
            up_writer.close()
            replies.cancel()


def _end_of(sent: bytearray, marker: bytes, nth: int) -> int:
    end = -1
    for _ in range(nth):
        end = sent.find(marker, end + 1)
        if end < 0:
            return len(sent)
    return end + len(marker)


@pytest.fixture
def smtp_server():
    server = _Server()
    controller = Controller(server, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    server.port = controller.port
    yield server
    controller.stop()


def _outcome_of(exc: BaseException | None) -> object:
    if exc is None:
        return None
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return type(exc), [(each.code, each.message, each.recipient) for each in exc.recipients]
    return type(exc), getattr(exc, "code", None), getattr(exc, "message", str(exc))


async def _session(server: _Server, send, messages: list[Message], drop_at: bytes | None = None):
    """Each message sent on one connection through a recording relay: each one's outcome, the
    bytes the client sent, what the server took in."""
    server.received.clear()
    outcomes = []
    async with _Relay(server.port) as relay:
        relay.drop_at = drop_at
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=int(relay.url.rsplit(":", 1)[1]), start_tls=False,
                                 timeout=10)
        await client.connect()
        for message in messages:
            try:
                await send(client, message)
                outcomes.append(None)
            except (aiosmtplib.SMTPException, ValueError) as exc:
                outcomes.append(_outcome_of(exc))
        connected = client.is_connected
        if connected:
            await client.quit()
    return outcomes, connected, relay.sent(), list(server.received)


async def _aiosmtplibs(client: aiosmtplib.SMTP, message: Message) -> None:
    await client.send_message(message)


def _mail(to: str, cc: str | None = None, sender: str = "coord@x.test", text: str = "Hello Sam,\n" * 5) -> Message:
    """A message whose text goes as it is (no transfer encoding): its lines are the DATA lines."""
    message = Message()
    message["From"], message["To"], message["Subject"] = sender, to, "Your shift"
    if cc:
        message["Cc"] = cc
    message.set_payload(text)
    return message


DOTTED = ".starts with a dot\n..two dots\n.\nand a line that is only a dot above\n. \n"


@pytest.mark.parametrize("data_reply", ["250 OK", "451 4.3.0 try later", "554 5.6.0 refused"])
async def test_the_smtp_transaction_is_aiosmtplibs(smtp_server, data_reply):
    smtp_server.data_reply = data_reply
    messages = [
        _invite("You're signed up: Food bank", Sender("Springfield Food Bank", "contact@x.org"), "Food bank"),
        _mail("volunteer@x.test", cc="r450@x.test, r550@x.test"),  # some recipients refused: sent to the rest
        _mail("r450@x.test", cc="r550@x.test, Ana <r551@x.test>"),  # every one refused, each with its code
        _mail("ok@x.test", sender="m553@x.test"),  # the sender refused
        _mail("ok@x.test", text=DOTTED),
        _mail(".dot@x.test", text="."),
        _mail("Zoë Ñúñez <zoe@x.test>", cc="josé@bücher.test", sender="Café <café@x.test>"),  # SMTPUTF8
        _mail('"a b"@x.test', cc="<angle@x.test> (a comment)"),
        _mail("bad address with spaces <a b@x.test>"),
        _mail("volunteer@x.test", text="bare\rCR and\r\nCRLF\n"),
        _mail("r421@x.test"),  # aiosmtplib closes the session on a 421
    ]
    theirs = await _session(smtp_server, _aiosmtplibs, messages)
    ours = await _session(smtp_server, _submit, messages)
    assert ours == theirs
    if data_reply == "250 OK":
        assert [_summary(outcome) for outcome in theirs[0]] == [
            None, None, [450, 550, 551], 553, None, None, None, None, ValueError, None, [421]]
        assert len(theirs[2]) == 1 and len(theirs[3]) == 7
        assert b"\r\n\r\n..starts with a dot\r\n...two dots\r\n..\r\nand a line" in theirs[2][0]


def _summary(outcome: object) -> object:
    if outcome is None:
        return None
    if isinstance(outcome[1], list):
        return [code for code, _, _ in outcome[1]]
    return outcome[1] if outcome[1] is not None else outcome[0]


@pytest.mark.parametrize("drop_at", [b"MAIL FROM", b"RCPT TO", b"DATA\r\n", b"..two dots", b"Hello Sam", b"\r\n.\r\n"])
async def test_a_server_that_drops_the_connection_fails_the_same_way(smtp_server, drop_at):
    message = _mail("volunteer@x.test", text=DOTTED + "Hello Sam\n")
    theirs = await _session(smtp_server, _aiosmtplibs, [message], drop_at=drop_at)
    ours = await _session(smtp_server, _submit, [message], drop_at=drop_at)
    assert ours == theirs
    assert theirs[0][0][0] is aiosmtplib.SMTPServerDisconnected and theirs[1] is False


async def test_a_reused_session_the_server_closed_is_replaced(smtp_server):
    async with _Relay(smtp_server.port) as relay:
        relay.drop_at, relay.nth = b"MAIL FROM", 2  # each connection goes away at its second message
        mailer = SmtpMailer(relay.url, connections=1)
        for n in range(3):
            await mailer.send(_mail(f"v{n}@x.test"))
        await mailer.close()
    assert [rcpt for _, rcpt, _ in smtp_server.received] == [["v0@x.test"], ["v1@x.test"], ["v2@x.test"]]
    assert len(relay.sessions) == 3
