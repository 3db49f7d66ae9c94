"""Request metrics by route, counted by the outermost layer (coord.kernel.request_metrics)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings, strategies as st
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.parser import text_string_to_metric_families

from coord.kernel.request_metrics import observe_all

from tests.support import expect


# Litestar's (prometheus_client's default) buckets, the edges included as amounts.
BOUNDS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0)


def series(text: str, name: str) -> dict[tuple[str, str, str], float]:
    """(method, path, status_code) -> value of one sample in a /metrics answer."""
    return {(s.labels["method"], s.labels["path"], s.labels["status_code"]): s.value
            for family in text_string_to_metric_families(text) for s in family.samples if s.name == name}


async def counts(client) -> dict[tuple[str, str, str], float]:
    return series((await client.get("/metrics")).text, "litestar_requests_total")


async def test_requests_are_counted_by_route_template_and_status(client, api):
    someone = await api.user("metrics")
    org = await api.org(someone)
    before = await counts(client)

    expect(await client.get(f"/api/v1/orgs/{org['id']}", headers=someone.headers), 200)
    expect(await client.get(f"/api/v1/orgs/{uuid.uuid4()}", headers=someone.headers), 404)
    assert (await client.get("/api/v1/me")).status_code == 401  # refused before the route runs
    assert (await client.head("/health")).status_code == 200  # HEAD runs GET's route
    assert (await client.get(f"/no-such-page-{uuid.uuid4().hex}")).status_code == 404

    after = await counts(client)
    grew = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
    template = "/api/v1/orgs/{org_id}"
    assert grew[("GET", template, "200")] == 1
    assert grew[("GET", template, "404")] == 1  # the route answered 404 for an unknown organization
    assert grew[("GET", "/api/v1/me", "401")] == 1
    assert grew[("GET", "/health", "200")] == 1
    assert grew.get(("GET", "/metrics", "200")) is None  # scraping is not counted
    # An address no route takes has no series: a label per made-up path would grow without end.
    assert not [key for key in after if "no-such-page" in key[1]]
    assert not [key for key in after if str(org["id"]) in key[1]]  # templates, never the ids in a path


async def test_requests_in_progress_return_to_zero_and_durations_are_observed(client, api):
    someone = await api.user("metrics-progress")
    for _ in range(3):
        expect(await client.get("/api/v1/me", headers=someone.headers), 200)
    text = (await client.get("/metrics")).text
    running = series(text, "litestar_requests_in_progress")
    assert running[("GET", "/api/v1/me", "200")] == 0
    observed = series(text, "litestar_request_duration_seconds_count")
    answered = series(text, "litestar_requests_total")
    assert observed[("GET", "/api/v1/me", "200")] == answered[("GET", "/api/v1/me", "200")] >= 3
    seconds = series(text, "litestar_request_duration_seconds_sum")[("GET", "/api/v1/me", "200")]
    assert 0 < seconds < 60 * observed[("GET", "/api/v1/me", "200")]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(BOUNDS), st.floats(min_value=0, max_value=100, allow_nan=False)), max_size=40))
def test_a_batch_of_durations_shows_as_observing_them_one_by_one(amounts):
    registry = CollectorRegistry()
    one_by_one = Histogram("one_by_one", "", ["path"], buckets=BOUNDS, registry=registry).labels("/x")
    batched = Histogram("batched", "", ["path"], buckets=BOUNDS, registry=registry).labels("/x")
    for amount in amounts:
        one_by_one.observe(amount)
    observe_all(batched, amounts)

    def samples(name: str) -> list[tuple[str, dict, float]]:
        return [(s.name.removeprefix(name), s.labels, s.value) for family in registry.collect()
                for s in family.samples if family.name == name and not s.name.endswith("_created")]
    ours, theirs = samples("batched"), samples("one_by_one")
    assert [(n, labels) for n, labels, _ in ours] == [(n, labels) for n, labels, _ in theirs]
    assert [v for *_, v in ours] == pytest.approx([v for *_, v in theirs])


async def test_the_series_each_address_counts_in_are_remembered_within_a_bound(client, app, monkeypatch):
    """RequestMetrics remembers each (method, address)'s series; addresses carry ids, so the
    memory is cleared when full rather than growing with every id ever asked for."""
    from coord.kernel import request_metrics

    monkeypatch.setattr(request_metrics, "KEYS_KEPT", 5)
    remembered = app.request_metrics._keys  # noqa: SLF001
    remembered.clear()
    before = await counts(client)
    for _ in range(12):
        assert (await client.get(f"/api/v1/orgs/{uuid.uuid4()}")).status_code == 401
        assert len(remembered) <= 5
    grew = (await counts(client))[("GET", "/api/v1/orgs/{org_id}", "401")] - before.get(("GET", "/api/v1/orgs/{org_id}", "401"), 0)
    assert grew == 12  # every request counted under its template, whether remembered or not
