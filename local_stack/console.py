"""``/_local/console``: one server-rendered page showing what the local stack holds.

Candidates, each interview with its nudge timeline, the outbox and the virtual clock, with
forms that move the clock. No script and no external asset: plain HTML and a little CSS,
every value passed through ``html.escape`` (the page's Content-Security-Policy forbids
scripts as a second line of defence).

Data comes through the stack's own means, not a second copy of the data model:
- candidates: ``CandidateRepository.all()``, a Query on the table's existing GSI1 index (key
  ``CANDIDATES``, written with each profile), never a Scan;
- interviews and nudges: ``CandidateService.timeline``, the very code behind
  ``GET /candidates/{candidate_id}/interviews``;
- messages: the stack's outbox (``local_stack/outbox.py``), what SES and SNS recorded;
- the clock: the stack's virtual clock, moved with ``StackControls.set_clock`` (which delivers
  whatever falls due, exactly as ``POST /_local/clock`` does).
"""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta
from html import escape
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .apigw import HttpResponse

if TYPE_CHECKING:
    from .controls import StackControls

PATH = "/_local/console"
CLOCK_PATH = "/_local/console/clock"
STEPS = {
    "1h": ("+1 hour", timedelta(hours=1)),
    "1d": ("+1 day", timedelta(days=1)),
    "1w": ("+1 week", timedelta(weeks=1)),
}
KIND_LABELS = {
    "research_prompt": "Research prompt",
    "thank_you": "Thank-you",
    "follow_up": "Follow-up",
    "rejection_reply": "Rejection reply",
    "connect": "Connect",
    "sms_reply": "SMS reply",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


class ConsoleError(ValueError):
    """A clock form the console cannot act on (shown to the person, 400)."""


# ---------------------------------------------------------------------------- data


def gather(controls: StackControls) -> dict[str, Any]:
    """Everything the page shows, read from the AWS endpoint now."""
    from nudges import service_builders
    from nudges.adapters.applications import ApplicationRepository
    from nudges.adapters.candidates import CandidateRepository
    from nudges.adapters.interviews import InterviewRepository
    from nudges.adapters.nudge_ledger import NudgeLedger

    table, _index = controls.send_record_table()
    # Retention only matters for writes, and the console writes nothing: the timeline reads only.
    client, name = controls.aws.client("dynamodb"), str(table)
    people = CandidateRepository(client, name)
    ports: Any = SimpleNamespace(
        candidates=people,
        interviews=InterviewRepository(client, name),
        applications=ApplicationRepository(client, name),
        nudges=NudgeLedger(client, name),
    )
    service = service_builders.build_timeline(ports)
    now = controls.clock.now()
    candidates = []
    for candidate in people.all():
        candidates.append({"candidate": candidate, "interviews": service.timeline(candidate.candidate_id, now)})
    return {"now": now, "clock_set": controls.clock.is_set, "candidates": candidates, "outbox": controls.outbox()}


# ---------------------------------------------------------------------------- formatting


def _instant(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else None


def _when(value: str | datetime | None, zone: str) -> str:
    """'Tue 4 Mar 2031, 14:00 GMT' in the given zone (escaped)."""
    moment = _instant(value)
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    return escape(f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}")


def _time(value: str | datetime | None, zone: str) -> str:
    moment = _instant(value)
    return escape(f"{moment.astimezone(ZoneInfo(zone)):%H:%M %Z}") if moment else "—"


def _short(value: str | datetime | None, zone: str) -> str:
    """'Tue 4 Mar 14:00 GMT': a day and a time in the given zone (escaped)."""
    moment = _instant(value)
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    return escape(f"{local:%a} {local.day} {local:%b %H:%M %Z}")


def _badge(status: str) -> str:
    return f'<span class="badge {escape(status)}">{escape(status)}</span>'


def _message_ref(index: int, message: dict[str, Any]) -> str:
    return f'<a href="#msg-{index}">{escape(message["channel"])}</a>'


# ---------------------------------------------------------------------------- sections


def _clock_section(data: dict[str, Any], notice: str) -> str:
    now: datetime = data["now"]
    zones = sorted({c["candidate"].timezone for c in data["candidates"]} - {"UTC"})
    mode = "set (stands still until moved)" if data["clock_set"] else "following real time (not set yet)"
    steps = "".join(
        f'<button type="submit" name="step" value="{key}">{escape(label)}</button>'
        for key, (label, _delta) in STEPS.items()
    )
    options = "".join(f'<option value="{escape(z)}">{escape(z)}</option>' for z in ["UTC", *zones])
    local_times = "".join(f"<li>{escape(z)}: {_when(now, z)}</li>" for z in zones)
    return f"""
<section id="clock">
  <h2>Virtual clock</h2>
  <p class="now"><strong id="clock-now" data-now="{escape(now.isoformat())}">{_when(now, "UTC")}</strong>
     <span class="muted">— {escape(mode)}</span></p>
  {f'<ul class="zones">{local_times}</ul>' if local_times else ""}
  {f'<p class="notice" id="notice">{escape(notice)}</p>' if notice else ""}
  <form method="post" action="{CLOCK_PATH}" class="controls">
    {steps}
    <button type="submit" name="step" value="due">Run due</button>
  </form>
  <form method="post" action="{CLOCK_PATH}" class="controls">
    <label>Set to <input type="datetime-local" name="at" step="60" required
      value="{escape(now.strftime("%Y-%m-%dT%H:%M"))}"></label>
    <label>in <select name="zone">{options}</select></label>
    <button type="submit">Set clock</button>
  </form>
  <p class="muted">Moving the clock delivers every schedule due by then, as <code>POST /_local/clock</code> does.</p>
</section>"""


def _nudge_rows(interview: dict[str, Any], zone: str, sent: dict[tuple[str, str], list[int]], outbox: list) -> str:
    rows = []
    for nudge in interview["nudges"]:
        refs = sent.get((interview["interview_id"], nudge["kind"]), [])
        delivered = ", ".join(f"{_message_ref(i, outbox[i])} {_short(outbox[i]['sent_at'], zone)}" for i in refs)
        reason = f' <span class="muted">({escape(nudge["reason"])})</span>' if nudge.get("reason") else ""
        rows.append(
            f'<tr class="nudge" data-kind="{escape(nudge["kind"])}" data-status="{escape(nudge["status"])}">'
            f"<td>{escape(KIND_LABELS.get(nudge['kind'], nudge['kind']))}</td>"
            f"<td>{_when(nudge['due_at'], zone)}</td>"
            f"<td>{_badge(nudge['status'])}{reason}</td>"
            f"<td>{delivered or '—'}</td></tr>"
        )
    if not rows:
        return '<p class="muted">No nudges planned.</p>'
    head = "<tr><th>nudge</th><th>due</th><th>status</th><th>delivered</th></tr>"
    return f'<table class="timeline"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _candidate_section(entry: dict[str, Any], now: datetime, sent: dict, outbox: list) -> str:
    candidate = entry["candidate"]
    zone = candidate.timezone
    interviews = []
    for interview in entry["interviews"]:
        people = ", ".join(escape(p["name"] or p["email"]) for p in interview["interviewers"]) or "—"
        interviews.append(
            f"""
    <article class="interview" id="iv-{escape(interview["interview_id"])}" data-status="{escape(interview["status"])}">
      <h4>{escape(interview["title"])} {_badge(interview["status"])}</h4>
      <p>{_when(interview["start"], zone)} – {_time(interview["end"], zone)} · {escape(interview["company"])}
         · with {people} <span class="muted id">{escape(interview["interview_id"])}</span></p>
      {_nudge_rows(interview, zone, sent, outbox)}
    </article>"""
        )
    channels = ", ".join(escape(c) for c in candidate.channels)
    contact = escape(candidate.email) + (f" · {escape(candidate.phone)}" if candidate.phone else "")
    return f"""
<section class="candidate" id="cand-{escape(candidate.candidate_id)}">
  <h3 class="name">{escape(candidate.name or candidate.email)}</h3>
  <p>{contact} · {escape(zone)} (now {_when(now, zone)}) · channels: {channels}
     <span class="muted id">{escape(candidate.candidate_id)}</span></p>
  {"".join(interviews) or '<p class="muted">No interviews yet.</p>'}
</section>"""


def _outbox_section(outbox: list[dict[str, Any]], zone_of: dict[str, str]) -> str:
    items = []
    for index, message in reversed(list(enumerate(outbox))):
        zone = zone_of.get(message.get("interview_id") or "", "UTC")
        subject = (
            f'<p class="subject">Subject: {escape(message["subject"])}</p>' if message["channel"] == "email" else ""
        )
        items.append(
            f"""
  <article class="message" id="msg-{index}" data-kind="{escape(message.get("kind") or "")}"
    data-channel="{escape(message["channel"])}" data-interview="{escape(message.get("interview_id") or "")}">
    <p class="meta">{_badge(message["channel"])} <strong>{escape(KIND_LABELS.get(message.get("kind") or "", "unrecorded"))}</strong>
      to {escape(message["to"])} · sent {_when(message.get("sent_at"), zone)}</p>
    {subject}
    <pre class="body">{escape(message["body"] or "")}</pre>
  </article>"""
        )
    body = "".join(items) or '<p class="muted">Nothing sent yet.</p>'
    return (
        f'<section id="outbox"><h2>Outbox ({len(outbox)}) <span class="muted">newest first</span></h2>{body}</section>'
    )


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f4f5f8; }
header { background: #1d2330; color: #fff; padding: .8rem 1.5rem; }
header h1 { margin: 0; font-size: 1.25rem; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2rem; padding: 1.2rem 1.5rem; }
section { background: #fff; border-radius: 8px; padding: .8rem 1.1rem; margin-bottom: 1.2rem;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 1.1rem; margin: .2rem 0 .6rem; } h3 { margin: .2rem 0; } h4 { margin: .4rem 0 .2rem; }
.muted { color: #6b7280; } .id { font: 12px ui-monospace, monospace; }
.interview { border-top: 1px solid #e5e7eb; padding-top: .4rem; margin-top: .5rem; }
table.timeline { border-collapse: collapse; width: 100%; font-size: 14px; }
.timeline th { text-align: left; color: #6b7280; font-weight: 500; }
.timeline td:nth-child(-n+2) { white-space: nowrap; }
.timeline td, .timeline th { padding: .2rem .5rem .2rem 0; border-bottom: 1px solid #f0f1f4; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: 12px; background: #e5e7eb; }
.badge.sent, .badge.completed { background: #d1fae5; color: #065f46; }
.badge.scheduled { background: #dbeafe; color: #1e40af; }
.badge.cancelled { background: #fee2e2; color: #991b1b; }
.badge.skipped { background: #fef3c7; color: #92400e; }
.badge.email { background: #ede9fe; color: #5b21b6; } .badge.sms { background: #cffafe; color: #155e75; }
.controls { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .4rem 0; }
button { font: inherit; padding: .25rem .7rem; border: 1px solid #1d2330; border-radius: 6px; background: #fff;
         cursor: pointer; }
button:hover { background: #1d2330; color: #fff; }
.notice { background: #ecfdf5; border-left: 3px solid #10b981; padding: .3rem .6rem; }
.zones { margin: .2rem 0; padding-left: 1.1rem; color: #374151; font-size: 14px; }
.message { border-top: 1px solid #e5e7eb; padding: .4rem 0; }
.message .meta, .message .subject { margin: .1rem 0; } .subject { font-weight: 600; }
pre.body { white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; background: #f8f9fb; padding: .5rem;
           border-radius: 6px; margin: .3rem 0; max-height: 16rem; overflow: auto; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
"""


def render(controls: StackControls, notice: str = "") -> str:
    data = gather(controls)
    outbox = data["outbox"]
    sent: dict[tuple[str, str], list[int]] = {}
    for index, message in enumerate(outbox):
        if message.get("interview_id") and message.get("kind"):
            sent.setdefault((message["interview_id"], message["kind"]), []).append(index)
    zone_of = {
        interview["interview_id"]: entry["candidate"].timezone
        for entry in data["candidates"]
        for interview in entry["interviews"]
    }
    candidates = "".join(_candidate_section(e, data["now"], sent, outbox) for e in data["candidates"])
    interviews = sum(len(e["interviews"]) for e in data["candidates"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interview Nudges — local console</title>
<style>{STYLE}</style></head>
<body>
<header><h1>Interview Nudges — local console</h1></header>
<main>
<div>
{_clock_section(data, notice)}
<section id="candidates"><h2>Candidates ({len(data["candidates"])}) · interviews ({interviews})</h2>
{candidates or '<p class="muted">No candidates registered yet: <code>POST /candidates</code>.</p>'}
</section>
</div>
<div>{_outbox_section(outbox, zone_of)}</div>
</main>
</body></html>"""


# ---------------------------------------------------------------------------- HTTP


def _notice(query: str) -> str:
    """What the last clock move did, from the redirect's ``moved`` and ``fired`` parameters."""
    params = urllib.parse.parse_qs(query)
    moved, fired = (params.get("moved") or [""])[0], (params.get("fired") or [""])[0]
    try:
        instant, count = datetime.fromisoformat(moved).astimezone(UTC), int(fired)
    except ValueError:
        return ""
    return f"Clock set to {instant:%Y-%m-%d %H:%M} UTC; {count} schedule{'' if count == 1 else 's'} fired."


def page(controls: StackControls, query: str) -> HttpResponse:
    notice = _notice(query)
    return HttpResponse(
        200,
        [
            ("content-type", "text/html; charset=utf-8"),
            ("content-security-policy", CSP),
            ("cache-control", "no-store"),
        ],
        render(controls, notice).encode("utf-8"),
    )


def target_instant(form: dict[str, list[str]], now: datetime) -> datetime:
    """Where the clock form asks the clock to go."""
    step = (form.get("step") or [""])[0]
    if step == "due":
        return now
    if step in STEPS:
        return now + STEPS[step][1]
    at = (form.get("at") or [""])[0]
    if not at:
        raise ConsoleError("choose a step or a date and time")
    zone = (form.get("zone") or ["UTC"])[0] or "UTC"
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError) as exc:
        raise ConsoleError(f"unknown time zone {zone!r}") from exc
    try:
        local = datetime.fromisoformat(at)
    except ValueError as exc:
        raise ConsoleError(f"not a date and time: {at!r}") from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=tz)
    return local.astimezone(UTC)


def move_clock(controls: StackControls, body: bytes, headers: Any) -> HttpResponse:
    """POST /_local/console/clock (a form): move the clock, then back to the page (303)."""
    origin = headers.get("Origin")
    host = headers.get("Host") or ""
    if origin and origin != "null" and urllib.parse.urlsplit(origin).netloc != host:
        # Another site's page posting to the loopback stack: not the console's own form.
        return HttpResponse(403, [("content-type", "text/plain")], b"cross-origin form refused")
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    try:
        instant = target_instant(form, controls.clock.now())
    except ConsoleError as exc:
        return HttpResponse(400, [("content-type", "text/plain; charset=utf-8")], str(exc).encode())
    fired = len(controls.set_clock(instant)["fired"])
    location = f"{PATH}?{urllib.parse.urlencode({'moved': instant.isoformat(), 'fired': fired})}"
    return HttpResponse(303, [("location", location), ("content-type", "text/plain")], b"")
