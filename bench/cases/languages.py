"""Pages in every language (issue 16.11): the shift board, My schedule, a group page and a
session page rendered in English, Spanish and Arabic in the same run, on the demo organization.

The language is the menu's choice (the coord_lang cookie) beside the page session; every answer
is checked to be in that language before it is timed. Languages take turns in short windows
(en, es, ar, en, es, ar, ...), so a slow moment of a busy machine falls on all of them alike;
each figure is the median of all its requests (ms, one request at a time, after each warm-up).
"""

from __future__ import annotations

import logging
import statistics
from typing import Any, AsyncIterator

from bench.cases.pages import cookie_header, demo_objects, login
from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.demo import DEMO_SLUG, load_demo
from coord.kernel.config import load_settings

log = logging.getLogger("bench")
LANGUAGES = ("en", "es", "ar")
ROUNDS = 5
# What is timed: (name, persona, path); {group} and {session} are demo objects.
PAGES = (
    ("shift_board", "volunteer", f"/shifts?org={DEMO_SLUG}"),
    ("my_schedule", "participant", "/me"),
    ("group", "participant", "/groups/{group}"),
    ("session", "facilitator", "/sessions/{session}"),
)


@benchmark("page_languages")
async def page_languages(ctx: Context) -> AsyncIterator[dict[str, Any]]:
    """page_<page>_<lang>_ms for each page and language (baseline: the page in English), and
    page_language_slowest_vs_en: the slowest page-in-a-language against its English time
    (its ratio must stay at or under 1.2)."""
    settings = load_settings({"COORD_SECRET_KEY": "x" * 32}).with_urls(ctx.database_url, ctx.redis_url)
    log.info("  %s", await load_demo(settings))
    clients = {p: await login(ctx.base_url, f"{p}@demo.coord.test") for p in ("volunteer", "participant", "facilitator")}
    try:
        objects = await demo_objects(ctx.pool)
        window = max(0.4, min(ctx.seconds, 5) / ROUNDS)
        times: dict[tuple[str, str], list[float]] = {}
        for name, persona, path in PAGES:
            url = path.format(**objects)
            for code in LANGUAGES:
                headers = cookie_header(clients[persona])
                headers["Cookie"] += f"; coord_lang={code}"
                answer = await clients[persona].get(url, headers=headers)
                assert answer.status_code == 200 and f'<html lang="{code}"' in answer.text, \
                    f"GET {url} as {persona} in {code}: {answer.status_code}, not a page in {code}"
            for _ in range(ROUNDS):
                for code in LANGUAGES:
                    headers = cookie_header(clients[persona])
                    headers["Cookie"] += f"; coord_lang={code}"
                    load = await ctx.http_load(Request("GET", url, headers=headers), expect=200, concurrency=1,
                                               seconds=window)
                    times.setdefault((name, code), []).extend(seconds * 1000 for seconds in load.latencies)
        medians = {key: statistics.median(values) for key, values in times.items()}
        slowest = None
        for name, _persona, _path in PAGES:
            english = medians[(name, "en")]
            yield result(f"page_{name}_en_ms", english, "ms")
            for code in LANGUAGES[1:]:
                yield result(f"page_{name}_{code}_ms", medians[(name, code)], "ms", baseline=english)
                ratio = medians[(name, code)] / english
                if slowest is None or ratio > slowest[0]:
                    slowest = (ratio, name, code)
        assert slowest is not None
        _, name, code = slowest
        log.info("  slowest against English: %s in %s", name, code)
        yield result("page_language_slowest_vs_en", medians[(name, code)], "ms", baseline=medians[(name, "en")])
    finally:
        for client in clients.values():
            await client.aclose()
