"""Static files: versioned addresses kept for a year, validators per encoding, 304s."""

from __future__ import annotations

import hashlib
import re
import tracemalloc

import pytest

from coord.web.static_assets import STATIC, _fingerprints, fingerprint, static

STYLESHEET = re.compile(r'href="(/static/coord\.css\?v=([0-9a-f]+))"')


def on_disk(name: str) -> bytes:
    return (STATIC / name).read_bytes()


async def test_pages_link_static_files_by_their_content(client):
    address, version = STYLESHEET.search((await client.get("/login")).text).groups()
    assert version == hashlib.sha256(on_disk("coord.css")).hexdigest()[:16]

    kept = await client.get(address, headers={"Accept-Encoding": "identity"})
    assert kept.status_code == 200 and kept.content == on_disk("coord.css")
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert kept.headers["etag"] == f'"{version}"'

    zipped = await client.get(address, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == on_disk("coord.css")
    # The same content in other bytes: a weak validator, never the identity body's strong one.
    assert zipped.headers["etag"] == f'W/"{version}"'
    assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("address", ["/static/coord.css", "/static/coord.css?v=0123456789abcdef"])
async def test_an_unversioned_or_old_address_is_kept_only_an_hour(client, address):
    response = await client.get(address)
    assert response.status_code == 200 and response.content == on_disk("coord.css")
    assert "immutable" not in response.headers["cache-control"]
    assert "max-age=3600" in response.headers["cache-control"]
    assert response.headers["etag"].endswith(f'"{fingerprint("coord.css")}"')


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
async def test_a_phone_revalidating_gets_304_without_the_file(client, encoding):
    address = static("htmx-2.0.11.min.js")
    first = await client.get(address, headers={"Accept-Encoding": encoding})
    tag = first.headers["etag"]
    for method in ("GET", "HEAD"):
        again = await client.request(method, address, headers={"If-None-Match": tag, "Accept-Encoding": encoding})
        assert again.status_code == 304 and again.content == b"", method
        assert again.headers["etag"] == f'"{fingerprint("htmx-2.0.11.min.js")}"'
        assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in again.headers["vary"]
    # Any of several tags, or "*", names it; another file's tag does not.
    listed = await client.get(address, headers={"If-None-Match": f'"nope", {tag}'})
    assert listed.status_code == 304
    assert (await client.get(address, headers={"If-None-Match": "*"})).status_code == 304
    other = await client.get(address, headers={"If-None-Match": f'"{fingerprint("coord.css")}"'})
    assert other.status_code == 200 and other.content == on_disk("htmx-2.0.11.min.js")


async def test_addresses_outside_the_static_files_are_left_alone(client):
    assert fingerprint("../render.py") is None and fingerprint("no-such.css") is None
    known = dict(_fingerprints())
    for made_up in ("no-such.css", "a/b/c.js", "../render.py", "x" * 200):
        assert (await client.get(f"/static/{made_up}", headers={"If-None-Match": "*"})).status_code == 404
    assert _fingerprints() == known
    assert "swagger-ui/swagger-ui.css" in known and "coord.css" in known


def test_made_up_names_are_remembered_nowhere():
    """Every request for /static/<name> asks for the name's fingerprint: remembering the
    answer per name would let anyone grow the process by asking for names that do not exist."""
    fingerprint("warm-up.css")
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for i in range(20_000):
            assert fingerprint(f"made-up-{i:05d}-{'x' * 40}.css") is None
        grown = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert grown < 200_000, grown  # 20,000 remembered names would be several MB
    with pytest.raises(ValueError, match="no-such.css"):
        static("no-such.css")  # a template naming a file that is not there fails loudly
