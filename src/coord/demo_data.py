"""What the demo organization holds: people, groups with their schedules, events and
volunteer shifts. Plain data; src/coord/demo.py loads it through the services.

Times are relative to the load: sessions start next week, shifts and events fall in
the next two weeks, all in America/New_York. Days are offsets from today (shifts,
events) or weekdays of next week (series).
"""

from __future__ import annotations

DEMO_TZ = "America/New_York"

# email, display name, organization roles. The first five are the accounts the README
# names; the rest give the rosters and the shift board some life.
PEOPLE = [
    ("coordinator@demo.coord.test", "Rosa Coordinator", ["coordinator"]),
    ("facilitator@demo.coord.test", "Femi Facilitator", ["facilitator"]),
    ("peer@demo.coord.test", "Priya Peer", ["facilitator", "participant"]),
    ("volunteer@demo.coord.test", "Vic Volunteer", ["volunteer"]),
    ("participant@demo.coord.test", "Pat Participant", ["participant"]),
    ("lena@demo.coord.test", "Dr Lena Ortiz", ["facilitator"]),
    ("sam@demo.coord.test", "Sam Rivera", ["facilitator", "volunteer"]),
    ("jo@demo.coord.test", "Jo Mensah", ["volunteer"]),
    ("kai@demo.coord.test", "Kai Nakamura", ["volunteer"]),
    ("noor@demo.coord.test", "Noor Haddad", ["volunteer", "participant"]),
    ("ola@demo.coord.test", "Ola Bergström", ["volunteer"]),
    ("ben@demo.coord.test", "Ben Carter", ["participant"]),
    ("chloe@demo.coord.test", "Chloé Martin", ["participant"]),
    ("dev@demo.coord.test", "Dev Patel", ["participant"]),
    ("emma@demo.coord.test", "Emma Walsh", ["participant"]),
    ("farah@demo.coord.test", "Farah Aziz", ["participant"]),
]

ADMIN = ("admin@demo.coord.test", "Ada Admin")

# The organization's own words, shown after coord's crisis lines (988 and Crisis Text Line, in
# English and Spanish: coord.orgs.crisis), which say the rest.
CRISIS_LINE = "In an emergency call 911."

VENUES = [
    {"name": "Riverside Community Center, Room 2", "kind": "in_person", "address": "120 River St, Springfield",
     "accessibility": "Step-free entrance on Mill Lane; accessible restroom on the ground floor."},
    {"name": "Online room", "kind": "virtual", "meeting_url": "https://meet.example.org/riverside"},
]

# Each group: its GroupIn fields, venue (index into VENUES), facilitators and participants
# (emails), pending join requests, and its series (SeriesIn fields relative to next week).
# `gaps`: 0-based session numbers whose facilitators are cut to `gap_keep` (coverage gaps).
GROUPS = [
    {
        "group": {"name": "Tuesday Evening Peer Support", "format": "peer_led", "visibility": "public",
                  "join_policy": "open", "topic": "Mood and everyday wellbeing", "audience": "Adults 18+",
                  "languages": ["en"], "capacity": 14, "facilitators_required": 1,
                  "description": "A relaxed, confidential circle run by people with lived experience. "
                                 "Come when you can; there is no need to talk if you would rather listen."},
        "venue": 0,
        "facilitators": ["peer@demo.coord.test", "sam@demo.coord.test"],
        "participants": ["participant@demo.coord.test", "ben@demo.coord.test", "chloe@demo.coord.test",
                         "noor@demo.coord.test", "emma@demo.coord.test"],
        "pending": [],
        "series": {"weekday": 1, "time": (18, 30), "minutes": 90, "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=12",
                   "facilitators": ["peer@demo.coord.test"]},
        "gaps": [], "gap_keep": [],
    },
    {
        "group": {"name": "Managing Anxiety: Skills Group", "format": "professional_led", "visibility": "public",
                  "join_policy": "approval", "topic": "Anxiety", "audience": "Adults 18+",
                  "languages": ["en", "es"], "capacity": 10, "facilitators_required": 2,
                  "description": "An eight-session CBT-informed skills group led by a licensed clinician and "
                                 "a peer co-facilitator. A coordinator will call you before your first session."},
        "venue": 1,
        "facilitators": ["lena@demo.coord.test", "facilitator@demo.coord.test"],
        "participants": ["participant@demo.coord.test", "dev@demo.coord.test", "farah@demo.coord.test"],
        "pending": ["chloe@demo.coord.test"],
        "series": {"weekday": 3, "time": (17, 0), "minutes": 75, "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=8",
                   "facilitators": ["lena@demo.coord.test", "facilitator@demo.coord.test"]},
        # Femi is away for the second session: one facilitator short.
        "gaps": [1], "gap_keep": ["lena@demo.coord.test"],
    },
    {
        "group": {"name": "Family and Carers Circle", "format": "peer_led", "visibility": "private",
                  "join_policy": "approval", "topic": "Supporting someone you care about",
                  "audience": "Family members and carers", "languages": ["en"], "facilitators_required": 1,
                  "description": "For people supporting a family member or friend. Invitation only; ask the "
                                 "coordinator about a place."},
        "venue": 0,
        "facilitators": ["facilitator@demo.coord.test"],
        "participants": ["emma@demo.coord.test", "ben@demo.coord.test"],
        "pending": [],
        "series": {"weekday": 5, "time": (10, 0), "minutes": 90, "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=10",
                   "facilitators": ["facilitator@demo.coord.test"]},
        # Nobody has taken the first Saturday yet.
        "gaps": [0], "gap_keep": [],
    },
    {
        "group": {"name": "Self-Harm Recovery Group", "format": "professional_led", "visibility": "private",
                  "join_policy": "approval", "topic": "Recovery from self-harm", "audience": "Adults 18+",
                  "languages": ["en"], "capacity": 8, "facilitators_required": 1,
                  "discreet_title": "Wednesday group",
                  "description": "A small, closed group. Invites and calendar entries say only “Wednesday group”."},
        "venue": 1,
        "facilitators": ["lena@demo.coord.test"],
        "participants": ["farah@demo.coord.test", "dev@demo.coord.test", "noor@demo.coord.test"],
        "pending": [],
        "series": {"weekday": 2, "time": (19, 0), "minutes": 60, "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=10",
                   "facilitators": ["lena@demo.coord.test"]},
        "gaps": [], "gap_keep": [],
    },
]

# Events: day offset from today, local start (h, m), hours, and who registers.
EVENTS = [
    {"event": {"title": "Mental Health First Aid: Taster Workshop", "kind": "workshop", "visibility": "public",
               "capacity": 12,
               "description": "Three hours on spotting the signs that someone is struggling and how to start "
                              "the conversation. Free; lunch provided."},
     "day": 9, "time": (13, 0), "hours": 3, "venue": 0,
     "registrations": ["volunteer@demo.coord.test", "participant@demo.coord.test", "jo@demo.coord.test",
                       "kai@demo.coord.test", "ben@demo.coord.test", "chloe@demo.coord.test",
                       "emma@demo.coord.test"]},
    {"event": {"title": "Riverside Walk and Talk", "kind": "awareness", "visibility": "public",
               "description": "A gentle 3 km walk along the river path with information stalls at the end. "
                              "Everyone welcome, bring a friend."},
     "day": 5, "time": (11, 0), "hours": 2, "venue": None,
     "registrations": []},
]

# Shifts: role, day offset from today, local start (h, m), hours, capacity, optional event
# (index into EVENTS), training, and who signs up (in order; past capacity they wait).
GREETER, SETUP, LINE = "Greeter", "Setup", "Peer support line"
SHIFTS = [
    (GREETER, 1, (18, 0), 2, 2, None, None, ["volunteer@demo.coord.test", "jo@demo.coord.test"]),
    (SETUP, 1, (17, 0), 1, 1, None, None, ["kai@demo.coord.test"]),
    (LINE, 1, (19, 0), 3, 2, None, "MHFA", ["ola@demo.coord.test"]),
    (GREETER, 2, (9, 30), 2, 1, None, None, []),
    (LINE, 3, (19, 0), 3, 2, None, "MHFA", ["sam@demo.coord.test"]),
    (SETUP, 4, (8, 30), 1.5, 3, None, None, ["jo@demo.coord.test"]),
    (GREETER, 5, (10, 30), 3, 4, 1, None, ["volunteer@demo.coord.test", "noor@demo.coord.test"]),
    (SETUP, 5, (9, 0), 2, 2, 1, None, ["kai@demo.coord.test", "ola@demo.coord.test"]),
    (LINE, 5, (19, 0), 3, 2, None, "MHFA", []),
    # Full, with two people waiting (the demo volunteer second in line).
    (GREETER, 6, (12, 0), 2, 1, None, None, ["jo@demo.coord.test", "kai@demo.coord.test",
                                             "volunteer@demo.coord.test"]),
    (SETUP, 7, (17, 30), 1, 2, None, None, []),
    (LINE, 8, (19, 0), 3, 2, None, "MHFA", ["ola@demo.coord.test", "sam@demo.coord.test"]),
    (GREETER, 8, (18, 0), 2, 2, None, None, ["noor@demo.coord.test"]),
    (SETUP, 9, (11, 0), 2, 3, 0, None, ["volunteer@demo.coord.test", "jo@demo.coord.test"]),
    (GREETER, 9, (12, 30), 2, 2, 0, None, ["kai@demo.coord.test"]),
    (LINE, 10, (19, 0), 3, 2, None, "MHFA", []),
    (GREETER, 11, (18, 0), 2, 2, None, None, []),
    (SETUP, 12, (9, 0), 1.5, 2, None, None, ["ola@demo.coord.test"]),
    (LINE, 12, (19, 0), 3, 2, None, "MHFA", ["sam@demo.coord.test"]),
    (GREETER, 13, (10, 0), 2, 3, None, None, ["noor@demo.coord.test", "volunteer@demo.coord.test"]),
]

SHIFT_DESCRIPTIONS = {
    GREETER: "Welcome people at the door, sign them in and show them to the room.",
    SETUP: "Set out chairs, tea and leaflets; pack away afterwards.",
    LINE: "Answer the evening peer support line from the office. Needs Mental Health First Aid (MHFA).",
}

# Volunteers holding a current MHFA certificate (the demo volunteer does not, so the
# board shows the training those shifts need).
MHFA_HOLDERS = ["ola@demo.coord.test", "sam@demo.coord.test"]
