"""WhatsApp as a channel of its own, end to end on the local stack (End User Messaging Social,
played by the stack with Meta behind it): a candidate on WhatsApp only gets every nudge as the
operator's template for its kind, filled with their name and the advice; statuses move the
message log (read included); STOP on WhatsApp ends it, HELP is answered in free text within the
24-hour window; nobody is ever asked for consent by WhatsApp."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.steps import book, register

WHATSAPP = {"channels": ["whatsapp"], "sms_consent": None}  # reached on WhatsApp only

CONSENT = {"obtained_at": "2040-01-02T09:00:00Z", "method": "web_form"}


def _whatsapp(client, phone):
    return [m for m in client.outbox() if m["channel"] == "whatsapp" and m["to"] == phone]


def _log(client, candidate_id):
    reply = client.request("GET", f"/candidates/{candidate_id}/messages")
    assert reply.status == 200, reply
    return reply.body


def test_a_whatsapp_only_candidate_gets_every_nudge_as_its_template(client, stack, unique):
    now = datetime(2040, 1, 2, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-wa-{unique}@example.org", "+447700900801"
    candidate_id = register(client, email, phone, whatsapp_consent=CONSENT, **WHATSAPP)["candidate_id"]
    reachable = client.request("GET", f"/candidates/{candidate_id}").body["reachable"]
    assert reachable["whatsapp"] is True and reachable["email"] is False and reachable["sms"] is False
    client.set_clock(now)  # the welcome
    offer_iv = book(client, email, f"wa-offer-{unique}", datetime(2040, 1, 10, 14, 0, tzinfo=UTC), now)
    client.set_clock(datetime(2040, 1, 8, 14, 0, tzinfo=UTC))  # research prompt
    client.set_clock(datetime(2040, 1, 10, 16, 0, tzinfo=UTC))  # thank-you
    client.set_clock(datetime(2040, 1, 17, 10, 0, tzinfo=UTC))  # follow-up
    assert client.outcome(offer_iv, "offer").status == 202
    client.set_clock(datetime(2040, 1, 18, 12, 0, tzinfo=UTC))  # the connect nudge, due now
    beta = ("Bo Chen", "bo.chen@beta-labs.example")
    rejected_iv = book(client, email, f"wa-rej-{unique}", datetime(2040, 1, 22, 10, 0, tzinfo=UTC), now, organizer=beta)
    client.set_clock(datetime(2040, 1, 22, 11, 20, tzinfo=UTC))
    assert client.outcome(rejected_iv, "rejected").status == 202
    client.set_clock(datetime(2040, 1, 22, 11, 30, tzinfo=UTC))  # the rejection reply

    sent = _whatsapp(client, phone)
    by_kind = {m["kind"]: m for m in sent}
    kinds = ("welcome", "research_prompt", "thank_you", "follow_up", "connect", "rejection_reply")
    assert set(by_kind) >= set(kinds), [m["kind"] for m in sent]
    # Nothing else reached the candidate: no email, no text.
    assert not [m for m in client.outbox() if m["to"] in (email, phone) and m["channel"] != "whatsapp"]
    emulated = {m.message_id: m for m in stack.social.sent}
    log = {m["provider_message_id"]: m for m in _log(client, candidate_id)}
    assert {m["channel"] for m in log.values()} == {"whatsapp"}
    for logged in log.values():
        kind = logged["kind"]
        sent_as = emulated[logged["provider_message_id"]]
        # The operator's template for the kind, in the candidate's language, filled in.
        assert sent_as.template == f"interview_nudges_{kind}", sent_as
        assert sent_as.body.startswith("Hello Ada, ") and "Reply STOP" in sent_as.body
        values = sent_as.values
        assert values["first_name"] == "Ada" and values["advice"] in sent_as.body
        # WhatsApp only: the advice never points to an email of ours ("details in your email").
        assert "your email" not in values["advice"] and "by email" not in values["advice"], values
        assert logged["status"] == "delivered"  # Meta's delivered status, relayed
    assert "Jane" in emulated_values(stack, log, "research_prompt")["advice"]
    assert "Bo" in emulated_values(stack, log, "rejection_reply")["advice"]
    # The timeline has each sent.
    [planned] = [i for i in client.interviews(candidate_id) if i["interview_id"] == offer_iv]
    assert {n["kind"]: n["status"] for n in planned["nudges"]}["thank_you"] == "sent"


def emulated_values(stack, log, kind):
    logged = next(m for m in reversed(list(log.values())) if m["kind"] == kind)  # the first sent
    return next(m.values for m in stack.social.sent if m.message_id == logged["provider_message_id"])


def test_a_read_status_moves_its_log_entry_and_a_failure_is_kept(client, unique):
    now = datetime(2040, 2, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-wa-read-{unique}@example.org", "+447700900802"
    candidate_id = register(client, email, phone, whatsapp_consent=CONSENT, **WHATSAPP)["candidate_id"]
    client.set_clock(now)
    [welcome] = [m for m in _log(client, candidate_id) if m["kind"] == "welcome"]
    assert (welcome["channel"], welcome["status"]) == ("whatsapp", "delivered")
    body = {"channel": "whatsapp", "provider_message_id": welcome["provider_message_id"], "status": "read"}
    assert client.request("POST", "/_local/message-status", body).status == 202
    assert [m["status"] for m in _log(client, candidate_id) if m["kind"] == "welcome"] == ["read"]
    # A late "delivered" never moves it back.
    again = {**body, "status": "delivered"}
    assert client.request("POST", "/_local/message-status", again).status == 202
    assert [m["status"] for m in _log(client, candidate_id) if m["kind"] == "welcome"] == ["read"]


def test_stop_on_whatsapp_stops_it_and_help_is_answered_in_free_text(client, stack, unique):
    now = datetime(2040, 3, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-wa-stop-{unique}@example.org", "+447700900803"
    candidate_id = register(client, email, phone, whatsapp_consent=CONSENT, **WHATSAPP)["candidate_id"]
    client.set_clock(now)
    interview_id = book(client, email, f"wa-stop-{unique}", datetime(2040, 3, 10, 14, 0, tzinfo=UTC), now)

    assert client.request("POST", "/_local/whatsapp", {"from": phone, "body": "help"}).status == 202
    [help_reply] = [m for m in _whatsapp(client, phone) if m["kind"] == "sms_reply"]
    assert "template" not in help_reply and "STOP" in help_reply["body"]  # free text, in the window

    assert client.request("POST", "/_local/whatsapp", {"from": phone, "body": "Stop."}).status == 202
    replies = [m for m in _whatsapp(client, phone) if m["kind"] == "sms_reply"]
    assert len(replies) == 2 and "START" in replies[-1]["body"]
    shown = client.request("GET", f"/candidates/{candidate_id}").body
    assert shown["reachable"]["whatsapp"] is False and shown["unreachable_reasons"]["whatsapp"] == "opted_out"
    before = len(_whatsapp(client, phone))
    client.set_clock(datetime(2040, 3, 8, 14, 0, tzinfo=UTC))  # the research prompt: not on WhatsApp
    assert len(_whatsapp(client, phone)) == before
    [planned] = [i for i in client.interviews(candidate_id) if i["interview_id"] == interview_id]
    research = next(n for n in planned["nudges"] if n["kind"] == "research_prompt")
    assert research["status"] == "skipped" and "whatsapp" in research["reason"]

    # START brings it back for the nudges still ahead.
    assert client.request("POST", "/_local/whatsapp", {"from": phone, "body": "START"}).status == 202
    client.set_clock(datetime(2040, 3, 10, 16, 0, tzinfo=UTC))  # the thank-you
    assert [m["kind"] for m in _whatsapp(client, phone)][-1] == "thank_you"


def test_without_whatsapp_consent_nothing_goes_by_whatsapp_and_no_one_is_asked_there(client, unique):
    now = datetime(2040, 4, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-wa-none-{unique}@example.org", "+447700900804"
    candidate_id = register(client, email, phone, **WHATSAPP)["candidate_id"]
    shown = client.request("GET", f"/candidates/{candidate_id}").body
    assert shown["unreachable_reasons"]["whatsapp"] == "awaiting_whatsapp_consent"
    client.set_clock(now)  # the welcome is due: it has no channel to go by
    assert _whatsapp(client, phone) == []
    # Consent given later (the operator's PATCH): the nudges still ahead go by WhatsApp.
    patched = client.request("PATCH", f"/candidates/{candidate_id}", {"whatsapp_consent": CONSENT})
    assert patched.status == 200 and patched.body["reachable"]["whatsapp"] is True, patched
    book(client, email, f"wa-none-{unique}", datetime(2040, 4, 10, 14, 0, tzinfo=UTC), now)
    client.set_clock(datetime(2040, 4, 8, 14, 0, tzinfo=UTC))
    assert [m["kind"] for m in _whatsapp(client, phone)] == ["research_prompt"]
    assert not [m for m in client.outbox() if m["to"] == phone and m["kind"] == "consent_request"]


def test_yes_on_whatsapp_is_the_candidates_own_opt_in_kept_once(client, unique):
    now = datetime(2040, 5, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-wa-yes-{unique}@example.org", "+447700900805"
    candidate_id = register(client, email, phone, **WHATSAPP)["candidate_id"]
    assert client.request("GET", f"/candidates/{candidate_id}").body["reachable"]["whatsapp"] is False
    for _ in range(2):  # the same YES twice (or redelivered): kept and answered once
        assert client.request("POST", "/_local/whatsapp", {"from": phone, "body": "Yes!"}).status == 202
    assert client.request("GET", f"/candidates/{candidate_id}").body["reachable"]["whatsapp"] is True
    answers = [m for m in _whatsapp(client, phone) if m["kind"] == "sms_reply"]
    assert len(answers) == 1 and "WhatsApp" in answers[0]["body"] and "template" not in answers[0]
