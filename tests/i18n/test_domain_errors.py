"""What a service refuses is said in the reader's language (issue 16.9): the API's `detail`
and `title` follow Accept-Language, a page's refusal the reader's language, and no service raises an
unmarked English sentence (a source scan keeps it so)."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import uuid4

from coord import i18n
from coord.kernel import errors
from tests.support import API, assert_problem

SRC = Path(__file__).resolve().parents[2] / "src" / "coord"
REFUSALS = {name for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, errors.DomainError)} | {"LinkInvalid", "EmailNotConfirmed"}


async def test_the_apis_detail_follows_accept_language(client, api, monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    admin = await api.user("admin")
    missing = f"{API}/groups/{uuid4()}"
    said, titled = {}, {}
    for code in ("en", "es", "ar"):
        problem = assert_problem(await client.get(missing, headers={**admin.headers, "accept-language": code}), 404)
        said[code], titled[code] = problem["detail"], problem["title"]
        assert problem["type"] == "urn:coord:problem:not-found"  # what code matches, in every language
    assert said == {"en": "no such group", "es": "ese grupo no existe", "ar": "هذه المجموعة غير موجودة"}
    assert titled == {"en": "Not found", "es": "No encontrado", "ar": "غير موجود"}
    # Litestar's own refusals (a body that is not JSON) and their titles too.
    broken = assert_problem(await client.post(f"{API}/orgs", content=b"{not json",
                                              headers={**admin.headers, "accept-language": "es",
                                                       "content-type": "application/json"}), 400)
    assert broken["title"] == "La solicitud no es válida" and broken["detail"].startswith("el cuerpo no es JSON válido")


async def test_the_frameworks_own_refusals_are_worded_by_coord_in_the_readers_language(client, api, monkeypatch):
    """No token, a token no longer valid, a path that is not there, a method a path does not
    take: coord's title and plain words, in the client's language, never Litestar's English."""
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    user = await api.user("reader")
    asks = {
        "no token": ("GET", f"{API}/me", {}, 401),
        "spent token": ("GET", f"{API}/me", {"authorization": "Bearer not-a-token"}, 401),
        "no such path": ("GET", f"{API}/nothing-here", user.headers, 404),
        "wrong method": ("DELETE", f"{API}/auth/register", {}, 405),
    }
    worded: dict[str, dict[str, tuple[str, str]]] = {}
    for code in ("en", "es", "ar"):
        for what, (method, path, headers, status) in asks.items():
            problem = assert_problem(await client.request(method, path, headers={**headers, "accept-language": code}),
                                     status)
            worded.setdefault(what, {})[code] = (problem["title"], problem["detail"])
    assert worded["no token"]["en"] == ("Authentication is required", 'sign in first: send the token from POST '
                                        '/api/v1/auth/token in the Authorization header, as "Bearer <token>"')
    assert worded["spent token"]["es"][1].startswith("este token ya no es válido")
    assert worded["no such path"]["ar"] == ("غير موجود", "لا يوجد شيء في هذا العنوان؛ وصف الواجهة البرمجية في /schema يذكر كل المسارات")
    assert worded["wrong method"]["es"][0] == "Acción no permitida"
    for what, by_language in worded.items():
        english = by_language["en"]
        assert "JWT" not in english[1] and english[1] not in ("Not Found", "Method Not Allowed", "Invalid token"), what
        assert by_language["es"][1] != english[1] and by_language["ar"][1] != english[1], what
        assert by_language["es"][0] != english[0] and by_language["ar"][0] != english[0], what


async def test_a_page_reads_a_translated_no_such_as_the_kind_it_names(client, api, monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    page = await client.get(f"/groups/{uuid4()}", headers={"accept-language": "es"})
    assert page.status_code == 404
    assert "ese grupo no existe" not in page.text  # the page's own sentence, not the API's words
    assert 'lang="es"' in page.text


def _unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        first = node.args[0]
        if name in REFUSALS and (isinstance(first, ast.JoinedStr) or
                                 (isinstance(first, ast.Constant) and isinstance(first.value, str))):
            found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_no_service_raises_an_unmarked_sentence():
    found = [where for path in sorted(SRC.rglob("*.py")) for where in _unmarked(path)]
    assert found == [], "wrap these in _() (and translate them): " + ", ".join(found)
