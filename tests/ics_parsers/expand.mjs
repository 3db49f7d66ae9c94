// Independent check with ical.js (the parser in Thunderbird).
//   node expand.mjs expand   < calendar.ics        -> JSON list of occurrences (UTC)
//   node expand.mjs offsets  < {"ics","tzid","utc":[...],"local":[...]} (JSON)
// Every VTIMEZONE in the file is registered with ICAL.TimezoneService, so TZIDs are
// resolved only through the file's own VTIMEZONE (ical.js ships no zone data).
import ICAL from "ical.js";

const LIMIT_YEAR = 2100;
const MAX_OCCURRENCES = 5000;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function iso(seconds) {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function load(text) {
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    const tzid = vtz.getFirstPropertyValue("tzid");
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz), tzid);
  }
  return root;
}

function zoned(time) {
  // A DATE-TIME with a TZID the file does not define would be floating: refuse.
  const tzid = time.zone ? time.zone.tzid : null;
  if (!tzid || tzid === "floating") throw new Error(`unresolved timezone on ${time.toString()}`);
  return time.toUnixTime();
}

function expand(root) {
  const byUid = new Map();
  for (const comp of root.getAllSubcomponents("vevent")) {
    const uid = comp.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) byUid.set(uid, { master: null, exceptions: [] });
    const entry = byUid.get(uid);
    if (comp.hasProperty("recurrence-id")) entry.exceptions.push(comp);
    else entry.master = comp;
  }
  const out = [];
  for (const [uid, { master, exceptions }] of byUid) {
    if (!master) {
      for (const comp of exceptions) {
        const ev = new ICAL.Event(comp);
        out.push({ uid, recurrence_id: iso(zoned(ev.recurrenceId)), start: iso(zoned(ev.startDate)), end: iso(zoned(ev.endDate)) });
      }
      continue;
    }
    const event = new ICAL.Event(master);
    for (const comp of exceptions) event.relateException(new ICAL.Event(comp));
    if (!event.isRecurring()) {
      out.push({ uid, recurrence_id: null, start: iso(zoned(event.startDate)), end: iso(zoned(event.endDate)) });
      continue;
    }
    const it = event.iterator();
    let next;
    let n = 0;
    while ((next = it.next()) && next.year < LIMIT_YEAR && n++ < MAX_OCCURRENCES) {
      const d = event.getOccurrenceDetails(next);
      out.push({
        uid,
        recurrence_id: iso(zoned(d.recurrenceId)),
        start: iso(zoned(d.startDate)),
        end: iso(zoned(d.endDate)),
      });
    }
  }
  return out;
}

function offsets(request) {
  load(request.ics);
  const tz = ICAL.TimezoneService.get(request.tzid);
  if (!tz) throw new Error(`no VTIMEZONE for ${request.tzid}`);
  // UTC -> offset: ICAL.Timezone.convert_time looks the offset up with the UTC wall
  // clock as if it were local time, which is off for the |offset| hours next to
  // every transition (an ical.js approximation, whatever the VTIMEZONE says). So
  // read ical.js's own expansion of the VTIMEZONE (tz.changes, kept in UTC) and
  // take the last change at or before the instant.
  const changeSeconds = (c) => Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) / 1000;
  const fromUtc = request.utc.map((s) => {
    const when = new Date(s).getTime() / 1000;
    const year = new Date(s).getUTCFullYear();
    tz.utcOffset(new ICAL.Time({ year: year + 1, month: 12, day: 31, hour: 0, minute: 0, second: 0 }, tz)); // expand changes through year + 1
    let offset = null;
    for (const c of tz.changes) {
      if (changeSeconds(c) <= when) offset = c.utcOffset;
    }
    if (offset === null) throw new Error(`no VTIMEZONE observance covers ${s}`);
    const local = new Date((when + offset) * 1000).toISOString().slice(0, 19);
    return { offset, local };
  });
  const fromLocal = request.local.map((s) => {
    const t = ICAL.Time.fromDateTimeString(s);
    const local = new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, isDate: false }, tz);
    return iso(local.toUnixTime());
  });
  return { from_utc: fromUtc, from_local: fromLocal };
}

const mode = process.argv[2];
const input = await readStdin();
const result = mode === "offsets" ? offsets(JSON.parse(input)) : expand(load(input));
process.stdout.write(JSON.stringify(result));
