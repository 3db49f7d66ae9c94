"""The job registry: each job is registered where it is defined, with its options,
and this one record yields the relay's routing and the worker's function lists.

    @on(MemberAdded)                        # the events it answers; arq options too
    async def send_welcome(ctx, event: MemberAdded, outbox_id: UUID) -> str: ...

    @job()                                  # enqueued by name (send_reminder, send_roster)
    async def send_reminder(ctx, kind: str, item_id: str, ...) -> dict[str, int]: ...

    @on(BookingPlaced, batched=True)        # idempotent: once per relay batch, all its events
    async def invalidate_feeds(ctx, events: list[tuple[Event, UUID]]) -> int: ...

    @every(minute={7}, run_at_startup=True)  # arq cron options
    async def extend_session_horizons(ctx) -> int: ...

The relay enqueues an `@on` job as (outbox_id, payload, request_id) with the job id
`name:outbox_id` (coord.outbox.relay), and a batched job once per relay batch with a
list of those. The function arq runs is the registry's
wrapper: it sets the request id for the job's log lines, decodes the payload once
into its typed domain event, checks the job declared it, and calls the job with
(ctx, event, outbox_id). Calling a decorated `@on` job directly runs that wrapper
too (`job.__wrapped__` is the typed function).

`registry.routing` (event kind -> job names) is what the relay reads;
`registry.functions` and `registry.cron_jobs` are what arq runs. Both import every
module of `JOB_MODULES` first, so a job is known wherever it is asked for.
"""

from __future__ import annotations

import functools
import importlib
import logging
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from arq.cron import CronJob, cron
from arq.worker import Retry
from arq.worker import Function, func

from coord.kernel.observability import request_id_var
from coord.kernel.outages import is_outage
from coord.outbox.domain_events import AnyEvent, Event, decode_event, event_kind
from coord.outbox.relay import Routing

# Every module that defines jobs, in the order their jobs are listed for an event kind.
JOB_MODULES = (
    "workers.jobs",
    "workers.booking_jobs",
    "workers.group_jobs",
    "workers.staff_jobs",
    "workers.schedule_jobs",
    "workers.feed_jobs",
    "workers.account_jobs",
    "workers.invitation_jobs",
    "workers.referral_jobs",
    "workers.directory_jobs",
    "workers.cron",
)

EventJob = Callable[[dict[str, Any], Any, UUID], Awaitable[Any]]  # (ctx, typed event, outbox id)
BatchJob = Callable[[dict[str, Any], list[tuple[Any, UUID]]], Awaitable[Any]]  # (ctx, [(event, outbox id)])
# What arq runs for an event job: (ctx, outbox_id, payload, request_id), as the relay enqueues it.
ArqEventJob = Callable[..., Awaitable[Any]]
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
log = logging.getLogger("coord.jobs")


def decode(payload: Any) -> Event:
    """An outbox payload as its typed event: a dict (the jsonb codec's), or JSON text."""
    if isinstance(payload, (bytes, str)):
        return decode_event(payload)
    return msgspec.convert(payload, AnyEvent)


# Waits before the next try of a job that met an outage, by try (arq's max_tries bounds them).
OUTAGE_BACKOFF_S = (1, 2, 5, 10, 30, 60, 120, 300)


async def _retried_on_outage(ctx: dict[str, Any], name: str, running: Awaitable[Any]) -> Any:
    """A job that meets a passing outage of PostgreSQL or Redis (coord.kernel.outages) runs
    again later instead of failing for good: its message would be lost, and every effect of
    a job is keyed (deliveries), so a second run is safe."""
    try:
        return await running
    except Exception as exc:
        if not is_outage(exc):
            raise
        tries = int(ctx.get("job_try") or 1)
        wait = OUTAGE_BACKOFF_S[min(tries - 1, len(OUTAGE_BACKOFF_S) - 1)]
        log.warning("%s met an outage (%s: %s); try %s again in %ss", name, type(exc).__name__, exc, tries, wait,
                    extra={"job": name})
        raise Retry(defer=wait) from exc


@dataclass(frozen=True)
class Registered:
    function: Function  # arq's record: name, coroutine, options
    kinds: tuple[str, ...]  # event kinds it answers; () for a job enqueued by name
    module: str
    order: int
    batched: bool = False


class Registry:
    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules
        self._jobs: dict[str, Registered] = {}
        self._crons: dict[str, CronJob] = {}
        self._counter = itertools.count()
        self._loaded = False

    # --- registering ----------------------------------------------------------------

    def on(self, *events: type[Event], batched: bool = False, **options: Any) -> Callable[[Any], ArqEventJob]:
        """Register a job run once for every committed event of these types; with `batched`,
        once for each relay batch holding such events, with all of them (for a job whose
        effect is the same however its events are grouped or repeated).
        `options`: arq's per-function settings (max_tries, timeout, keep_result)."""
        if not events:
            raise TypeError("@on needs at least one event type")
        if batched:
            return self._on_batches(events, options)

        def register(handler: EventJob) -> ArqEventJob:
            name = handler.__name__

            @functools.wraps(handler, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
            async def run(ctx: dict[str, Any], outbox_id: str, payload: Any, request_id: str | None = None) -> Any:
                token = request_id_var.set(request_id)
                try:
                    event = decode(payload)
                    if not isinstance(event, events):
                        raise TypeError(f"{name} cannot handle {type(event).__name__}")
                    outcome = await _retried_on_outage(ctx, name, handler(ctx, event, UUID(str(outbox_id))))
                    # One line per event job, here rather than in each job: what it did, by outcome.
                    log.info("%s: %s", name, outcome, extra={"outbox_id": str(outbox_id), "job": name})
                    return outcome
                finally:
                    request_id_var.reset(token)

            self._add(func(run, name=name, **options), tuple(event_kind(e) for e in events), handler.__module__)
            return run

        return register

    def _on_batches(self, events: tuple[type[Event], ...], options: dict[str, Any]) -> Callable[[BatchJob], ArqEventJob]:
        def register(handler: BatchJob) -> ArqEventJob:
            name = handler.__name__

            @functools.wraps(handler, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
            async def run(ctx: dict[str, Any], *enqueued: Any) -> Any:
                # A relay batch: ([(outbox_id, payload, request_id), ...],); one event alone:
                # (outbox_id, payload, request_id), as a routing without batches enqueues it.
                batch = enqueued[0] if len(enqueued) == 1 and isinstance(enqueued[0], list) else [enqueued]
                # Its log lines carry the request id of each change in the batch (comma-separated).
                requests = dict.fromkeys(str(rest[0]) for _, _, *rest in batch if rest and rest[0])
                token = request_id_var.set(",".join(requests) or None)
                try:
                    typed = []
                    for outbox_id, payload, *_ in batch:
                        event = decode(payload)
                        if not isinstance(event, events):
                            raise TypeError(f"{name} cannot handle {type(event).__name__}")
                        typed.append((event, UUID(str(outbox_id))))
                    outcome = await _retried_on_outage(ctx, name, handler(ctx, typed))
                    log.info("%s: %s (%s events)", name, outcome, len(typed), extra={"job": name})
                    return outcome
                finally:
                    request_id_var.reset(token)

            self._add(func(run, name=name, **options), tuple(event_kind(e) for e in events), handler.__module__,
                      batched=True)
            return run

        return register

    def job(self, **options: Any) -> Callable[[F], F]:
        """Register a job enqueued by its name (its arguments are its own)."""

        def register(function: F) -> F:
            @functools.wraps(function)
            async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
                return await _retried_on_outage(ctx, function.__name__, function(ctx, *args, **kwargs))

            self._add(func(run, name=function.__name__, **options), (), function.__module__)
            return function

        return register

    def every(self, **schedule: Any) -> Callable[[F], F]:
        """Register a periodic job; `schedule`: arq's cron() arguments (minute, hour, run_at_startup...).
        arq runs each slot once across all workers (unique, the default)."""

        def register(function: F) -> F:
            job = cron(function, **schedule)
            if job.name in self._crons:
                raise ValueError(f"cron job {job.name} is registered twice")
            self._crons[job.name] = job
            return function

        return register

    def _add(self, function: Function, kinds: tuple[str, ...], module: str, batched: bool = False) -> None:
        if function.name in self._jobs:
            raise ValueError(f"job {function.name} is registered twice")
        self._jobs[function.name] = Registered(function, kinds, module, next(self._counter), batched)

    # --- reading --------------------------------------------------------------------

    def load(self) -> Registry:
        """Import every job module (registering their jobs); once."""
        if not self._loaded:
            for module in self.modules:
                importlib.import_module(module)
            self._loaded = True
        return self

    def _ordered(self) -> list[Registered]:
        def position(entry: Registered) -> tuple[int, int]:
            listed = entry.module in self.modules
            return (self.modules.index(entry.module) if listed else len(self.modules), entry.order)

        return sorted(self.load()._jobs.values(), key=position)

    @property
    def routing(self) -> Routing:
        """Event kind -> the names of the jobs the relay enqueues for it (and which of them it
        enqueues once per batch)."""
        routes: dict[str, tuple[str, ...]] = {}
        for entry in self._ordered():
            for kind in entry.kinds:
                routes[kind] = routes.get(kind, ()) + (entry.function.name,)
        return Routing(routes, batched=[entry.function.name for entry in self._ordered() if entry.batched])

    @property
    def functions(self) -> list[Function]:
        """Every job, with its options, for arq.Worker(functions=...)."""
        return [entry.function for entry in self._ordered()]

    @property
    def cron_jobs(self) -> list[CronJob]:
        self.load()
        return list(self._crons.values())

    def function(self, name: str) -> Callable[..., Awaitable[Any]]:
        """The coroutine arq runs for a job name (an event job's takes the relay's arguments)."""
        return self.load()._jobs[name].function.coroutine


registry = Registry(JOB_MODULES)
on = registry.on
job = registry.job
every = registry.every
