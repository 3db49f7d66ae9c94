"""The bench's CPU figures (issue 19.3 reports them beside each load): a process tree's CPU
only grows, whether its descendants still run or have ended meanwhile."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bench.load import process_cpu_seconds

# A parent whose child burns CPU, says so and waits; told to, the parent ends the child and
# reaps it (as PostgreSQL's postmaster reaps a closed connection's backend).
PARENT = textwrap.dedent("""
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-c", "import sys, time\\n"
                              "end = time.process_time() + 0.3\\n"
                              "while time.process_time() < end: pass\\n"
                              "print('burnt', flush=True); sys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "burnt\\n"
    print("child burnt", flush=True)
    sys.stdin.readline()
    child.stdin.close()
    child.wait()
    print("child reaped", flush=True)
    sys.stdin.readline()
""")


def test_a_reaped_childs_cpu_stays_in_its_ancestors_total() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert parent.stdout.readline() == "child burnt\n"
        while_running = process_cpu_seconds(parent.pid)
        parent.stdin.write("end it\n")
        parent.stdin.flush()
        assert parent.stdout.readline() == "child reaped\n"
        after_reaping = process_cpu_seconds(parent.pid)
    finally:
        parent.stdin.close()
        parent.wait(timeout=30)
    assert while_running is not None and after_reaping is not None
    assert while_running >= 0.25  # the child's 0.3 s burn counted while it ran (/proc counts whole ticks)
    # and still counted once it ended (the same clock ticks, added in another order: allow
    # for the last bit of a float; without the reaped child's share the total drops by 0.3 s)
    assert after_reaping >= while_running - 1e-6


def test_an_unknown_process_has_no_figure() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert process_cpu_seconds(gone.pid) is None
