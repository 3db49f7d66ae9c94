"""The JSON log lines reach stderr whole and in order, though records made in an event loop
go to the writer thread a batch per turn of the loop (coord.kernel.observability)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

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
