"""One core for each worker process of `coord serve` (COORD_WEB_CPU_AFFINITY).

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
"""

from __future__ import annotations

import fcntl
import logging
import os

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
    """Threads started later inherit the affinity of the one that starts them; those already
    running (a library's, started at import) are moved one by one."""
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    for tid in threads:
        try:
            os.sched_setaffinity(tid, {cpu})
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
