"""One core for each worker process of `coord serve` (COORD_WEB_CPU_AFFINITY), and the
database's processes first when the two want it (COORD_WEB_SCHED_BATCH).

A granian worker is two threads that hand every request to each other (its Rust runtime and
the Python event loop), and each of PostgreSQL's round trips wakes the loop again. Left to
float, the two threads land on different cores and every hand-over is a cross-core wake-up,
which on a virtual machine costs far more than the Python it wakes for. Kept on one core
per process, `GET /me` cost a fifth less server CPU and `/health` answered 30% more
requests a second on the 2-core box (bench/README.md, "One core per worker process").

`coord serve` makes a directory of slots, one lockable file per usable CPU, and each worker
takes the first free slot with a non-blocking `flock` that it holds for its life: a worker
that dies frees its slot as the kernel closes its files, and granian's replacement takes
it. With more workers than CPUs, the ones left without a slot run on any CPU, as before.

A worker also runs as SCHED_BATCH (`run_as_batch`): Linux then lets a thread of it that wakes
(a request, a reply from PostgreSQL) wait until whatever runs on its core blocks or uses up its
slice, instead of preempting it. On a machine that runs PostgreSQL beside coord, what runs there
is mostly a backend working on one of coord's own statements: cut off midway, it finished
later and the server woke again to wait for it. Batch changes nothing else (not the priority,
nice, or any limit) and needs no privilege (bench/README.md, "Session 33").
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable

log = logging.getLogger("coord.serve")

# Set by `coord serve` for its workers: the directory of slots (coord.runner).
SLOTS_ENV = "_COORD_WEB_CPU_SLOTS"

_held: list[int] = []  # the slot's open file: closing it would free the slot


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (a container's cpuset, taskset), in order."""
    return sorted(os.sched_getaffinity(0))


def take_cpu(directory: str) -> int | None:
    """Take the first free slot in `directory` and move every thread of this process to its
    CPU. Returns the CPU, or None when every slot is taken (the process stays unpinned)."""
    if _held:
        raise RuntimeError("this process already holds a CPU slot")
    for slot, cpu in enumerate(usable_cpus()):
        fd = os.open(os.path.join(directory, f"cpu-{slot}"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another worker's
            os.close(fd)
            continue
        _held.append(fd)
        _pin_threads(cpu)
        return cpu
    return None


def _pin_threads(cpu: int) -> None:
    _each_thread(lambda tid: os.sched_setaffinity(tid, {cpu}))


def run_as_batch() -> None:
    """Every thread of this process as SCHED_BATCH (Linux's; elsewhere nothing changes)."""
    if not hasattr(os, "SCHED_BATCH"):
        return
    _each_thread(lambda tid: os.sched_setscheduler(tid, os.SCHED_BATCH, os.sched_param(0)))
    log.info("every thread of worker process %d runs as SCHED_BATCH", os.getpid())


def _each_thread(apply: Callable[[int], None]) -> None:
    """Threads started later inherit the affinity and policy of the one that starts them; those
    already running (a library's, started at import) are set one by one."""
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    for tid in threads:
        try:
            apply(tid)
        except ProcessLookupError:  # ended meanwhile
            pass


def pin_this_worker() -> None:
    """In a worker of `coord serve`: take a core when the server hands out slots."""
    directory = os.environ.get(SLOTS_ENV)
    if not directory or not hasattr(os, "sched_setaffinity"):
        return
    cpu = take_cpu(directory)
    if cpu is None:
        log.info("worker process %d runs on any CPU: every CPU already has a worker", os.getpid())
    else:
        log.info("worker process %d runs on CPU %d", os.getpid(), cpu)
