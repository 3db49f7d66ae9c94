"""The JSON log lines reach stderr whole and in order, though records made in an event loop
go to the writer thread a batch per turn of the loop (coord.kernel.observability)."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import textwrap

from hypothesis import given, settings, strategies as st

from coord.kernel import secret_paths

SCRIPT = textwrap.dedent("""
    import asyncio, logging
    from coord.kernel.observability import configure_logging
    configure_logging("INFO")
    log = logging.getLogger("coord.test")

    async def many():
        for i in range(500):
            log.info("in a loop %s", i)
            if i % 100 == 0:
                await asyncio.sleep(0)

    asyncio.run(many())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(asyncio.sleep(0))
    loop.call_soon(lambda: log.info("from a loop that stops before it hands the batch over"))
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    log.info("outside any loop")

    async def last():
        log.info("the last line, then the process exits")
        raise SystemExit(0)

    asyncio.run(last())
""")


def test_every_record_is_written_once_and_in_order_whatever_loop_made_it():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    messages = [line["msg"] for line in lines if line["logger"] == "coord.test"]
    assert messages == [
        *(f"in a loop {i}" for i in range(500)),
        "from a loop that stops before it hands the batch over",
        "outside any loop",
        "the last line, then the process exits",
    ]
    assert all(line["level"] == "info" and line["ts"].endswith("Z") for line in lines)


def test_an_access_line_from_its_values_is_the_line_its_log_record_would_make():
    """log_access hands coord's own handler the values, not a LogRecord; the text must be the
    same either way (an operator's handler, or a test's caplog, gets the record)."""
    from coord.kernel.observability import ACCESS_LOGGER, JsonFormatter

    formatter = JsonFormatter()
    for request_id, path, status in (("4f2a", "/api/v1/me", 200), (None, "/feeds/[redacted]", 404)):
        record = logging.getLogger(ACCESS_LOGGER).makeRecord(
            ACCESS_LOGGER, logging.INFO, "", 0, "%s %s %s", ("GET", path, status), None,
            extra={"method": "GET", "path": path, "status": status, "duration_ms": 0.42})
        record.created, record.request_id = 1796520000.25, request_id
        assert formatter.access(1796520000.25, request_id, "GET", path, status, 0.42) == formatter.format(record)


ACCESS_SCRIPT = textwrap.dedent("""
    import asyncio, logging
    from coord.kernel.observability import configure_logging, log_access, request_id_var
    configure_logging("INFO")
    log = logging.getLogger("coord.test")

    async def serve():
        for i in range(300):
            request_id_var.set(f"r{i}")
            log.info("handling %s", i)
            log_access("GET", f"/things/{i}", 200, 0.5)
            if i % 50 == 0:
                await asyncio.sleep(0)

    asyncio.run(serve())
""")


def test_access_lines_and_records_made_in_one_loop_come_out_whole_and_in_order():
    done = subprocess.run([sys.executable, "-c", ACCESS_SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    expected = []
    for i in range(300):
        expected += [("coord.test", f"handling {i}", f"r{i}"), ("coord.access", f"GET /things/{i} 200", f"r{i}")]
    assert [(line["logger"], line["msg"], line["request_id"]) for line in lines] == expected
    assert all(line["status"] == 200 and line["path"].startswith("/things/") for line in lines[1::2])


# The rule as a regular expression (what coord.kernel.secret_paths.redact_path computes by slicing).
_SECRET_SEGMENT = re.compile("^(" + "|".join(map(re.escape, secret_paths._SEGMENT_PREFIXES)) + ")[^/]+")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.sampled_from(["", "/", "/api/v1/", "/feeds", "/groups/", *secret_paths._SEGMENT_PREFIXES]),
                 st.sampled_from(secret_paths._SEGMENT_PREFIXES).map(lambda p: p[:-1])),
       st.text(alphabet="ab/.-%Z9", max_size=12))
def test_a_secret_segment_is_redacted_as_the_rule_says(prefix, rest):
    path = prefix + rest
    assert secret_paths.redact_path(path) == _SECRET_SEGMENT.sub(r"\1[redacted]", path)
