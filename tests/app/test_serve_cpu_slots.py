"""`coord serve` with several processes puts each on a core of its own (COORD_WEB_CPU_AFFINITY,
coord.kernel.cpu_slots), every thread of it; one that dies frees its core for its replacement.
Every thread runs as SCHED_BATCH (COORD_WEB_SCHED_BATCH) unless told otherwise. Real processes,
read through the kernel's own view of their affinity and policy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import coord_serve, wait_until_sync

USABLE = sorted(os.sched_getaffinity(0))


def _placed(log: Path) -> dict[int, int | None]:
    """pid -> CPU (None: any) from the workers' log lines."""
    placed: dict[int, int | None] = {}
    for line in log.read_text().splitlines():
        try:
            msg = json.loads(line).get("msg", "")
        except ValueError:
            continue
        if msg.startswith("worker process "):
            words = msg.split()
            placed[int(words[2])] = int(words[-1]) if "runs on CPU" in msg else None
    return placed


def _two(found):
    return found if len(found) == 2 else None


def _threads_on(pid: int) -> set[frozenset[int]]:
    """The affinity of each of the process's threads (granian's Rust threads, the event loop's,
    the log writer's)."""
    return {frozenset(os.sched_getaffinity(int(tid))) for tid in os.listdir(f"/proc/{pid}/task")}


def _policies_of(pid: int) -> set[int]:
    return {os.sched_getscheduler(int(tid)) for tid in os.listdir(f"/proc/{pid}/task")}


def _workers_of_port(port: str) -> list[int]:
    """The worker processes of the `coord serve` listening on `port` (children of the one that
    started them, with the same environment)."""
    mine = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if f"COORD_PORT={port}".encode() in environ:
            mine.append((int(entry), parent))
    pids = {pid for pid, _ in mine}
    return sorted(pid for pid, parent in mine if parent in pids)


@pytest.mark.slow
def test_each_web_process_runs_on_a_core_of_its_own_and_a_replacement_takes_the_freed_one(
        database_url, redis_url, tmp_path):
    log = tmp_path / "serve.log"
    with coord_serve(database_url, redis_url, tmp_path / "data", log, COORD_WEB_CONCURRENCY="2", COORD_LOG_LEVEL="INFO"):
        placed = wait_until_sync(lambda: _two(_placed(log)), timeout=30, what="both workers' placement lines")
        pinned = {pid: cpu for pid, cpu in placed.items() if cpu is not None}
        # Two processes, as many cores as there are (one box of the suite's may have a single one).
        assert sorted(pinned.values()) == USABLE[:2]
        for pid, cpu in pinned.items():
            assert _threads_on(pid) == {frozenset({cpu})}, (pid, cpu)
            assert _policies_of(pid) == {os.SCHED_BATCH}, pid

        gone, freed = next(iter(pinned.items()))
        os.kill(gone, signal.SIGKILL)
        replacement = wait_until_sync(lambda: {p: c for p, c in _placed(log).items() if p not in placed},
                                      timeout=60, what="granian to start a worker in place of the killed one")
        [(new_pid, new_cpu)] = replacement.items()
        assert new_cpu == freed and _threads_on(new_pid) == {frozenset({freed})}
        assert _policies_of(new_pid) == {os.SCHED_BATCH}
    assert "each on a core of its own" in log.read_text()


@pytest.mark.slow
def test_told_off_the_web_processes_run_on_any_core(database_url, redis_url, tmp_path):
    log = tmp_path / "serve.log"
    with coord_serve(database_url, redis_url, tmp_path / "data", log, COORD_WEB_CONCURRENCY="2",
                     COORD_WEB_CPU_AFFINITY="off", COORD_LOG_LEVEL="INFO") as base:
        workers = wait_until_sync(lambda: _two(_workers_of_port(base.rsplit(":", 1)[1])), timeout=30,
                                  what="coord serve's two worker processes")
        for pid in workers:
            assert _threads_on(pid) == {frozenset(USABLE)}
            assert _policies_of(pid) == {os.SCHED_BATCH}  # the two settings are independent
    assert _placed(log) == {} and "each on a core of its own" not in log.read_text()


@pytest.mark.slow
def test_told_off_the_web_processes_run_as_normal_threads_on_their_cores(database_url, redis_url, tmp_path):
    log = tmp_path / "serve.log"
    with coord_serve(database_url, redis_url, tmp_path / "data", log, COORD_WEB_CONCURRENCY="2",
                     COORD_WEB_SCHED_BATCH="off", COORD_LOG_LEVEL="INFO"):
        placed = wait_until_sync(lambda: _two(_placed(log)), timeout=30, what="both workers' placement lines")
        for pid in placed:
            assert _policies_of(pid) == {os.SCHED_OTHER}, pid
    assert "SCHED_BATCH" not in log.read_text()


def test_slots_go_one_per_cpu_and_come_back_when_their_holder_ends(tmp_path):
    """take_cpu in real processes: each takes a different CPU's slot; once every slot is held
    the next runs on any CPU; a holder's exit frees its slot for the next one."""
    program = ("import os, sys; from coord.kernel.cpu_slots import take_cpu; "
               "print(take_cpu(sys.argv[1]), sorted(os.sched_getaffinity(0)), flush=True); sys.stdin.read()")
    holders, taken = [], []
    try:
        for _ in USABLE:
            holder = subprocess.Popen([sys.executable, "-c", program, str(tmp_path)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            holders.append(holder)
            cpu, affinity = holder.stdout.readline().split(" ", 1)
            assert affinity.strip() == f"[{cpu}]"
            taken.append(int(cpu))
        assert taken == USABLE  # one slot each, in order, while every holder still runs
        assert take_cpu_in_child(tmp_path) == ("None", str(USABLE))  # every slot held: runs anywhere
        first = holders.pop(0)
        first.communicate("")  # ends: the kernel closes its slot file, and the lock goes with it
        assert take_cpu_in_child(tmp_path) == (str(USABLE[0]), f"[{USABLE[0]}]")
    finally:
        for holder in holders:
            holder.communicate("")


def take_cpu_in_child(directory: Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; from coord.kernel.cpu_slots import take_cpu; "
                               "print(take_cpu(sys.argv[1]), sorted(os.sched_getaffinity(0)))", str(directory)],
        capture_output=True, text=True, check=True)
    cpu, affinity = done.stdout.strip().split(" ", 1)
    return cpu, affinity
