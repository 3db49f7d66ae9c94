"""HTTP load from wrk (the Debian package), when it is installed.

The load generator shares the machine's cores with the server under test: every microsecond
it spends is one the server does not get. wrk, in C, spends less per request than bench's
asyncio client (bench/README.md has the figures). Each run reads its requests from a file
(a fixed request, or the ones a benchmark's request function made beforehand, each sent
once), counts answers with another status than the one expected, and prints the counts and
a thousand latency quantiles as JSON. A run lasts until it is sent SIGINT (wrk's own
durations are whole seconds); its CPU is the kernel's account of the reaped child.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.load import CpuWatch, LoadResult, Request

# Requests a request function makes ahead of a run, per second of it: above any signup rate
# measured on a 2-core box (about 2,000/s). A run that uses them all fails and says so.
AHEAD_PER_SECOND = 4_000
AHEAD_MIN = 2_000


def made_ahead(seconds: float) -> int:
    """How many requests wrk is given for a window of `seconds` (a request function is called
    this many times: each a new signup, say)."""
    return max(AHEAD_MIN, int(seconds * AHEAD_PER_SECOND))

# The requests file: each request as its length in 8 digits, then its bytes.
SCRIPT = """
local requests, next_index, cycle, expect = {}, 1, %(cycle)s, %(expect)d
local threads = {}
exhausted, unexpected, first_unexpected = 0, 0, 0

function setup(thread) table.insert(threads, thread) end

function init(args)
  local file = assert(io.open("%(data)s", "rb"))
  local data = file:read("*a")
  file:close()
  local at = 1
  while at <= #data do
    local length = tonumber(data:sub(at, at + 7))
    requests[#requests + 1] = data:sub(at + 8, at + 7 + length)
    at = at + 8 + length
  end
end

function request()
  if next_index > #requests then
    if cycle then next_index = 1 else exhausted = 1; wrk.thread:stop(); return requests[#requests] end
  end
  next_index = next_index + 1
  return requests[next_index - 1]
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
    if first_unexpected == 0 then first_unexpected = status end
  end
end

function done(summary, latency, requests_)
  local bad, out, first = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    out = out + thread:get("exhausted")
    if first == 0 then first = thread:get("first_unexpected") end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local quantiles = {}
  for i = 1, 1000 do quantiles[i] = latency:percentile(i / 10) end
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "unexpected": %%d, "first_unexpected": %%d, ' ..
    '"socket_errors": %%d, "exhausted": %%d, "latencies_us": [%%s]}\\n', summary.requests, summary.duration,
    bad, first, errors, out, table.concat(quantiles, ",")))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _wrk(url: str, script: Path, concurrency: int, seconds: float) -> tuple[dict, float]:
    """wrk's summary, and the CPU seconds it used."""
    cpu_before = _children_cpu()
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{concurrency}", "-d3600s", "--timeout", "30s", "-s", str(script), url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.sleep(seconds)
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    line = next((line for line in stdout.decode().splitlines() if line.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary (exit {process.returncode}): {stderr.decode()[-2000:]}")
    return json.loads(line), _children_cpu() - cpu_before


async def wrk_load(
    base_url: str,
    request: Request | Callable[[int], Request],
    *,
    expect: int,
    concurrency: int,
    seconds: float,
    warmup: float,
    watch_pid: int | None,
) -> LoadResult:
    """`http_load` with wrk: one wrk thread, `concurrency` keep-alive connections."""
    host = base_url.split("//", 1)[-1].rstrip("/")

    def files(directory: Path, window: float) -> tuple[Path, int]:
        if isinstance(request, Request):
            encoded = [request.encode(host)]
        else:
            encoded = [request(i % concurrency).encode(host) for i in range(made_ahead(window))]
        # A function that gives one request each time is a fixed request: sent over and over.
        fixed = len(set(encoded)) == 1
        data = directory / "requests"
        data.write_bytes(b"".join(b"%08d" % len(item) + item for item in (encoded[:1] if fixed else encoded)))
        script = directory / "load.lua"
        script.write_text(SCRIPT % {"data": data, "cycle": "true" if fixed else "false", "expect": expect})
        return script, len(encoded)

    with tempfile.TemporaryDirectory(prefix="coord-bench-wrk-") as directory:
        if warmup > 0:
            script, _count = files(Path(directory), warmup)
            await _wrk(base_url, script, concurrency, warmup)
        script, count = files(Path(directory), seconds)
        watch = CpuWatch(watch_pid)
        summary, cpu = await _wrk(base_url, script, concurrency, seconds)
    elapsed = summary["duration_us"] / 1e6
    if summary["exhausted"]:
        raise RuntimeError(f"wrk sent all {count} requests made ahead before {seconds:.1f}s were up: "
                           "raise bench.wrk.AHEAD_PER_SECOND")
    bad = summary["unexpected"] + summary["socket_errors"]
    result = LoadResult(summary["requests"] - summary["unexpected"], bad, elapsed, concurrency,
                        [us / 1e6 for us in summary["latencies_us"]])
    if bad:
        result.first_error = (f"status {summary['first_unexpected']} (expected {expect})" if summary["unexpected"]
                              else f"{summary['socket_errors']} socket errors")
    result.cpu = cpu / elapsed
    watch.finish(result, elapsed)
    return result
