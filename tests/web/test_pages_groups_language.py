"""The group, session and event pages in Spanish and Arabic (issue 16.1-16.4), through the
real app with COORD_PREVIEW_LANGUAGES' languages offered: every page, for the reader it is
meant for, shows its own words translated, its dates through CLDR, and no English sentence
the English page shows (what is the same in every language is the test's data: names, the
group's and the event's words, zones; the crisis lines above every page are each line's own words)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from coord import i18n
from coord.web.zones import timezone_choices
from tests.moments import NY, at, local_start
from tests.pages import Visitor, text_of
from tests.support import API, expect
from tests.support.page_words import Readable  # what a person reads: text, labels read aloud
from tests.support.world import make_event, make_group, make_shift, past_session, setup

WORD = re.compile(r"(?<![^\W\d_])[A-Za-z]{3,}(?![^\W\d_])")
ALLOWED = re.compile(r"\bcoord\b|\bEnglish\b|\bEspañol\b|\bhttps?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bUTC\b")


def chunks(html: str) -> list[str]:
    """What the page itself says: its <title> and its <main> (the menu, the crisis lines and
    the footer are every page's, tested with them; the crisis lines are each line's own words)."""
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    parser = Readable()
    parser.feed(f"<title>{title}</title><main {main}</main>")
    return [" ".join(chunk.split()) for chunk in parser.chunks]


def english_left(english: str, other: str, data: re.Pattern[str]) -> list[str]:
    """What the English page says that the other page still says word for word, but data."""
    theirs = set(chunks(other))
    return [c for c in dict.fromkeys(chunks(english))
            if c in theirs and WORD.search(ALLOWED.sub(" ", data.sub(" ", c)))]


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


class World:
    """A public open group with weekly sessions (its facilitators, a participant), an unlisted
    group needing approval with someone waiting, its invitation link, a past session, and a
    public event with a shift, a registration and a signup."""

    async def build(self, client, api) -> World:
        s = self.s = await setup(client, api, description="Talk and listen.")
        self.client = client
        await s.series(local_start(1), "FREQ=WEEKLY;COUNT=4", facilitator_ids=[s.facilitator.id])
        await s.series(local_start(1, hour=10), "FREQ=WEEKLY;COUNT=2")  # no facilitators: gaps
        self.session = (await s.sessions())[0]
        self.past = await past_session(s)
        self.private = await make_group(client, s.org, s.admin, name="Quiet Room", visibility="unlisted",
                                        join_policy="approval")
        expect(await client.post(f"{API}/groups/{self.private['id']}/join", headers=s.bystander.headers), 201)
        self.event = await make_event(client, s.org, s.admin, title="Spring Fair", kind="community",
                                      visibility="public", capacity=3)
        shift = await make_shift(client, s.org, s.admin, role="Greeter", event_id=self.event["id"],
                                 starts_at=at(72), ends_at=at(75))
        expect(await client.post(f"{API}/events/{self.event['id']}/registrations",
                                 headers=s.participant.headers), 201)
        volunteer = await api.user("Valentina")
        await api.member(s.org, s.admin, volunteer, "volunteer")
        expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=volunteer.headers), 201)
        names = [expect(await client.get(f"{API}/me", headers=u.headers), 200)["display_name"] for u in
                 (s.admin, s.coordinator, s.facilitator, s.co_facilitator, s.participant, s.bystander, volunteer)]
        data = [*names, s.org["name"], s.org["slug"], s.group["name"], "Talk and listen.", "Quiet Room",
                "Spring Fair", "Greeter", *timezone_choices(),
                *(z.replace("_", " ") for z in timezone_choices())]
        self.data = re.compile("|".join(re.escape(p) for p in sorted(set(data), key=len, reverse=True)))
        coordinator = await self.visitor(s.coordinator)
        made = await coordinator.post(f"/groups/{self.private['id']}/invite-link", {},
                                      form_page=f"/groups/{self.private['id']}")
        assert made.status_code == 303
        page = (await coordinator.get(f"/groups/{self.private['id']}")).text
        self.invite = page.split('id="invite-link-url" type="text" readonly value="')[1].split('"')[0]
        return self

    async def visitor(self, user=None) -> Visitor:
        browser = Visitor(self.client)
        if user is not None:
            await browser.login(user)
        return browser

    async def three(self, user, path: str) -> dict[str, str]:
        """The page in English, Spanish and Arabic, chosen with ?lang= as a link would."""
        browser = await self.visitor(user)
        pages = {}
        for code in ("en", "es", "ar"):
            answer = await browser.get(path + ("&" if "?" in path else "?") + f"lang={code}")
            assert answer.status_code == 200, (path, code, answer.status_code)
            assert f'<html lang="{code}"' in answer.text
            pages[code] = answer.text
        return pages


def preview_query() -> str:
    start = local_start(2)
    return urlencode({"preview": "1", "start_date": start.date().isoformat(), "start_time": "18:30",
                      "timezone": NY, "duration_minutes": "90", "freq": "weekly", "count": "30"})


# (who reads, the page, words it says in Spanish, in Arabic)
PAGES = [
    ("coordinator", "/groups/{private}", ["Solicitudes para unirse", "Añadir personas", "Enlace de invitación",
                                          "Visibilidad: no listado"], ["طلبات الانضمام", "رابط الدعوة"]),
    ("coordinator", "/groups/{group}", ["Sesiones sin cubrir", "Programar sesiones", "Archivar el grupo",
                                        "Próximas sesiones"], ["جدولة الجلسات", "الجلسات القادمة"]),
    (None, "/groups/{group}", ["Inicia sesión para unirte", "Dirigido por pares"], ["سجّل الدخول للانضمام"]),
    ("participant", "/groups/{group}", ["Eres miembro de este grupo.", "Salir del grupo"],
     ["أنت عضو في هذه المجموعة.", "مغادرة المجموعة"]),
    ("facilitator", "/me/groups", ["Mis grupos", "Próxima sesión:", "Mis sesiones sin cubrir"],
     ["مجموعاتي", "الجلسة القادمة:"]),
    ("coordinator", "/groups/{group}/schedule?{preview}", ["Vista previa", "a las 18:30, 30 veces",
                                                           "Las series de este grupo", "Guardar serie"],
     ["معاينة", "الساعة 18:30", "حفظ السلسلة"]),
    ("coordinator", "/groups/{group}/edit", ["Cambiar el grupo", "Quién puede verlo", "Guardar los cambios"],
     ["تعديل المجموعة", "من يمكنه رؤيتها"]),
    ("coordinator", "/orgs/{slug}/groups/new", ["Crear un grupo", "Dirigido por pares: lo llevan personas"],
     ["إنشاء مجموعة", "كيف ينضم الناس"]),
    ("coordinator", "/groups/{group}/archive", ["Qué pasará", "Volver sin cambiar nada"], ["ما الذي سيحدث"]),
    (None, "{invite}", ["Inicia sesión para pedir unirte", "Unirse"], ["سجّل الدخول لتطلب الانضمام"]),
    ("bystander", "/groups/join/{bad}", ["Este enlace no abre ningún grupo", "Este enlace no se puede usar"],
     ["لا يمكن استخدام هذا الرابط"]),
    ("facilitator", "/sessions/{session}", ["Cuándo y dónde", "Cambiar la fecha de esta sesión",
                                            "Cancelar esta sesión", "Quién viene"], ["الموعد والمكان", "إلغاء هذه الجلسة"]),
    ("participant", "/sessions/{session}", ["¿Vas a ir?", "Voy", "No voy"], ["هل ستحضر؟", "سأحضر"]),
    ("facilitator", "/sessions/{past}", ["Asistencia", "Presente", "Ausente", "Con excusa", "Guardar asistencia"],
     ["الحضور", "حاضر", "غائب بعذر"]),
    ("coordinator", "/events/{event}", ["Para quienes coordinan", "Turnos de voluntariado", "Quién se inscribió",
                                        "Añadir turnos", "Cancelar este evento", "Comunitario"],
     ["للمنسّقين", "مناوبات التطوع", "من سجّل"]),
    (None, "/events/{event}", ["Inicia sesión para inscribirte", "Plazas: 3"], ["سجّل الدخول للتسجيل"]),
    ("participant", "/events/{event}", ["Estás inscrito en este evento."], ["أنت مسجّل في هذه الفعالية."]),
]


async def test_every_group_session_and_event_page_speaks_spanish_and_arabic(client, api, every_language):
    w = await World().build(client, api)
    s = w.s
    places = {"group": s.group["id"], "private": w.private["id"], "slug": s.org["slug"], "preview": preview_query(),
              "invite": w.invite.split("coord.test", 1)[-1], "bad": "A" * 43, "session": w.session["id"],
              "past": w.past["id"], "event": w.event["id"]}
    problems = []
    for who, path, spanish, arabic in PAGES:
        url = path.format(**places)
        pages = await w.three(getattr(s, who) if who else None, url)
        for code, words in (("es", spanish), ("ar", arabic)):
            said = text_of(pages[code])
            problems += [f"{who} {path} {code}: no “{word}”" for word in words if word not in said]
            problems += [f"{who} {path} {code}: still English: {left}"
                         for left in english_left(pages["en"], pages[code], w.data)]
    assert not problems, "\n".join(problems)


async def test_dates_notices_and_refusals_are_written_for_the_reader(client, api, every_language):
    w = await World().build(client, api)
    browser = await w.visitor(w.s.participant)
    path = f"/sessions/{w.session['id']}"

    def heading(html: str) -> str:
        return text_of(html.split("<h1>", 1)[1].split("</h1>", 1)[0])

    # The sessions are on Tuesdays at 18:30 in New York: CLDR's weekday in Spanish and Arabic.
    assert "Tue " in heading((await browser.get(f"{path}?lang=en")).text)
    assert "mar, " in heading((await browser.get(f"{path}?lang=es")).text)
    assert "الثلاثاء" in heading((await browser.get(f"{path}?lang=ar")).text)
    # The notice after a form, in the reader's language.
    done = await browser.post(f"{path}/rsvp", {"response": "going"}, form_page=path)
    assert done.status_code == 303
    assert "Vas. Gracias por avisar a quienes facilitan." in text_of((await browser.get(done.headers["location"] + "&lang=es")).text)
    assert "ستحضر. شكرًا لإبلاغك الميسّرين." in text_of((await browser.get(done.headers["location"] + "&lang=ar")).text)
    # A refused form says what to change in the reader's language (Arabic still chosen).
    refused = await browser.post(f"{path}/rsvp", {"response": "maybe"}, form_page=path)
    assert refused.status_code == 422 and "اختر «سأحضر» أو «لن أحضر»." in text_of(refused.text)
    # The schedule form's refusals too.
    coordinator = await w.visitor(w.s.coordinator)
    form = f"/groups/{w.s.group['id']}/schedule?preview=1&freq=weekly&lang=es"
    said = text_of((await coordinator.get(form)).text)
    assert "Escribe la fecha de la primera sesión" in said and "Indica cuándo termina la serie" in said


async def test_refused_shift_rows_an_archived_group_and_a_cancelled_event_in_spanish_and_arabic(client, api,
                                                                                                  every_language):
    w = await World().build(client, api)
    coordinator = await w.visitor(w.s.coordinator)
    event = f"/events/{w.event['id']}"
    await coordinator.get(f"{event}?lang=es")  # chosen once, remembered
    start = at(70)[:16]
    rows = {"rows": "2", "role-0": "Greeter", "starts_at-0": start, "ends_at-0": start, "capacity-0": "2",
            "role-1": "Set-up", "starts_at-1": start, "ends_at-1": at(73)[:16], "capacity-1": ""}
    refused = text_of((await coordinator.post(f"{event}/shifts", rows, form_page=event)).text)
    assert "No se creó ningún turno. Turno 1: El fin debe ser posterior al inicio." in refused
    assert "Turno 2: Indica cuántas personas necesita este turno." in refused

    group = f"/groups/{w.s.group['id']}"
    done = await coordinator.post(f"{group}/archive", {"confirm": "yes"}, form_page=f"{group}/archive")
    assert done.status_code == 303
    archived = text_of((await coordinator.get(done.headers["location"])).text)
    assert "El grupo está archivado: sus próximas sesiones se cancelaron" in archived
    assert "Este grupo está archivado desde el " in archived and "Reabrir el grupo" in archived

    cancelled = await coordinator.post(f"{event}/cancel", {"confirm": "yes"}, form_page=event)
    assert cancelled.status_code == 303
    arabic = text_of((await coordinator.get(cancelled.headers["location"] + "&lang=ar")).text)
    assert "أُلغيت الفعالية. وأُبلغ كل المسجّلين." in arabic and "أُلغيت هذه الفعالية." in arabic


async def test_a_services_refusal_on_a_session_page_is_in_the_readers_language(client, api, every_language):
    w = await World().build(client, api)
    facilitator = await w.visitor(w.s.facilitator)
    path = f"/sessions/{w.session['id']}"
    await facilitator.get(f"{path}?lang=es")
    moved = await facilitator.post(f"{path}/move", {"starts_at": at(-24)[:16]}, form_page=path)
    assert moved.status_code == 409
    assert "esa hora ya pasó: una sesión solo se puede cambiar a una hora que aún no haya llegado" in text_of(moved.text)
