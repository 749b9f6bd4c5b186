"""The candidate's journey, end to end on the local stack: the welcome at registration (once per
channel, quiet hours respected), SMS consent by YES, and ``reachable`` on the candidate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from local_stack.client import STORY_SMS_CONSENT
from tests.e2e.steps import register


def to(client, *addresses):
    return [m for m in client.outbox() if m["to"] in addresses]


def candidate(client, candidate_id):
    reply = client.request("GET", f"/candidates/{candidate_id}")
    assert reply.status == 200, reply
    return reply.body


def test_registration_sends_one_welcome_per_channel_and_a_retry_sends_nothing_more(client, unique):
    # Given a Monday morning in London
    client.set_clock(datetime(2034, 3, 6, 9, 0, tzinfo=UTC))
    email, phone = f"ada-{unique}@example.org", "+447700900201"
    # When the operator registers Ada, and retries the same call (its answer was lost)
    first = register(client, email, phone)
    again = register(client, email, phone)
    client.set_clock(datetime(2034, 3, 6, 9, 1, tzinfo=UTC), deliver_twice=True)
    # Then she gets one welcome by email and one by SMS, no more
    assert again["candidate_id"] == first["candidate_id"]
    welcome = to(client, email, phone)
    assert [(m["kind"], m["channel"]) for m in welcome] == [("welcome", "email"), ("welcome", "sms")]
    mail, text = welcome
    # ...the email says what happens when, gives the address to forward invites to, and her links
    assert mail["subject"] == "Welcome to Interview Nudges: what happens next"
    assert "48 hours before it starts" in mail["body"] and "1 hour after it ends" in mail["body"]
    assert "Nothing arrives between 21:00 and 08:00 your time (Europe/London)" in mail["body"]
    assert f"    {first['ics_inbox_email']}\n" in mail["body"]
    # (no OAuth client is set up on this stack: no connect link anywhere, as the contract says)
    assert first["connect_urls"] == {} and "Google Calendar:" not in mail["body"]
    assert first["preferences_url"] in mail["body"]
    # ...the operator had her consent, so the text welcomes her without asking for a YES
    assert "Reply YES" not in text["body"] and "STOP" in text["body"]
    assert len(text["body"]) <= 306
    # ...and the candidate record shows the consent as the operator gave it
    shown = candidate(client, first["candidate_id"])
    assert shown["sms_consent"] == {
        "obtained_at": STORY_SMS_CONSENT["obtained_at"],
        "method": STORY_SMS_CONSENT["method"],
    }
    assert shown["reachable"] == {"email": True, "sms": True, "whatsapp": False} and shown["unreachable_reasons"] == {
        "whatsapp": "not_chosen"
    }


def test_a_welcome_due_in_quiet_hours_goes_at_eight_and_speaks_american_in_new_york(client, unique):
    # Registered at 23:30 in New York (04:30 UTC)
    client.set_clock(datetime(2034, 3, 8, 4, 30, tzinfo=UTC))
    email = f"ada-{unique}@example.org"
    reply = client.register(email=email, timezone="America/New_York", channels=["email"], name="Ada")
    assert reply.status == 201, reply
    client.set_clock(datetime(2034, 3, 8, 12, 59, tzinfo=UTC))  # 07:59 EST... still quiet
    assert to(client, email) == []
    client.set_clock(datetime(2034, 3, 8, 13, 30, tzinfo=UTC))  # 08:30 in New York
    [mail] = to(client, email)
    # released after 08:00, within QuietHoursSpreadMinutes (30) of it
    sent_at = datetime.fromisoformat(mail["sent_at"])
    assert mail["kind"] == "welcome"
    assert datetime(2034, 3, 8, 13, 0, tzinfo=UTC) <= sent_at < datetime(2034, 3, 8, 13, 30, tzinfo=UTC)
    assert "between 9 PM and 8 AM your time (America/New_York)" in mail["body"]


def test_sms_nudges_wait_for_yes_and_flow_after_it(client, unique):
    now = datetime(2034, 4, 3, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-{unique}@example.org", "+447700900202"
    # Given a candidate registered without the operator asserting SMS consent
    registered = register(client, email, phone, sms_consent=None)
    client.set_clock(now + timedelta(minutes=1))
    [welcome_text] = [m for m in to(client, phone) if m["kind"] == "welcome"]
    assert "Reply YES" in welcome_text["body"] and "STOP" in welcome_text["body"] and "HELP" in welcome_text["body"]
    shown = candidate(client, registered["candidate_id"])
    assert shown["reachable"] == {"email": True, "sms": False, "whatsapp": False}
    assert shown["unreachable_reasons"] == {"sms": "awaiting_sms_consent", "whatsapp": "not_chosen"}
    assert shown["sms_consent"] is None and shown["sms_yes"] is None
    # When two interviews are booked and the first one's research prompt comes due before any YES
    first = client.book(email, f"a-{unique}", datetime(2034, 4, 5, 14, 0, tzinfo=UTC), now).body["interview_id"]
    second = client.book(email, f"b-{unique}", datetime(2034, 4, 12, 14, 0, tzinfo=UTC), now).body["interview_id"]
    client.set_clock(datetime(2034, 4, 3, 14, 0, tzinfo=UTC))
    # Then it goes by email only; the SMS is skipped, awaiting consent
    assert [(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] == first] == [
        ("research_prompt", "email")
    ]
    # When she replies YES
    assert client.request("POST", "/_local/sms", {"from": phone, "body": "YES"}).status == 202
    # Then the YES is on record with its time and message id, and she is told texts are on
    shown = candidate(client, registered["candidate_id"])
    assert shown["sms_yes"]["obtained_at"].startswith("2034-04-03T14:00")
    assert shown["sms_yes"]["method"] == "sms_yes" and shown["sms_yes"]["message_id"]
    assert shown["reachable"] == {"email": True, "sms": True, "whatsapp": False}
    assert any("texts are on" in m["body"] for m in to(client, phone))
    # ...and the next nudges reach her phone too
    client.set_clock(datetime(2034, 4, 10, 14, 0, tzinfo=UTC))
    assert [(m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] == second] == [
        ("research_prompt", "email"),
        ("research_prompt", "sms"),
    ]
    # ...and a YES delivered again changes nothing and is not answered twice
    client.request("POST", "/_local/sms", {"from": phone, "body": "YES"})
    assert candidate(client, registered["candidate_id"])["sms_yes"] == shown["sms_yes"]
    assert sum("texts are on" in m["body"] for m in to(client, phone)) == 1


def test_reachable_says_why_not_after_stop_unsubscribe_and_a_bounce(client, unique):
    client.set_clock(datetime(2034, 5, 2, 9, 0, tzinfo=UTC))
    email, phone = f"ada-{unique}@example.org", "+447700900203"
    stopped = register(client, email, phone)
    # STOP by SMS
    client.request("POST", "/_local/sms", {"from": phone, "body": "STOP"})
    shown = candidate(client, stopped["candidate_id"])
    assert shown["reachable"] == {"email": True, "sms": False, "whatsapp": False}
    assert shown["unreachable_reasons"] == {"sms": "opted_out", "whatsapp": "not_chosen"}
    # the unsubscribe link of an email
    client.set_clock(datetime(2034, 5, 2, 9, 1, tzinfo=UTC))
    [welcome] = [m for m in to(client, email) if m["kind"] == "welcome"]
    link = next(line for line in welcome["body"].splitlines() if "/unsubscribe/" in line).split(": ", 1)[1]
    unsubscribed = client.request("POST", "/unsubscribe/" + link.rsplit("/", 1)[1])
    assert unsubscribed.status == 200
    assert "/preferences/" in unsubscribed.body  # where email can be turned back on
    assert {k.lower(): v for k, v in unsubscribed.headers.items()}["referrer-policy"] == "same-origin"
    shown = candidate(client, stopped["candidate_id"])
    assert shown["reachable"] == {"email": False, "sms": False, "whatsapp": False}
    assert shown["unreachable_reasons"] == {"email": "unsubscribed", "sms": "opted_out", "whatsapp": "not_chosen"}
    # a permanent bounce, for another candidate
    other = f"bob-{unique}@example.org"
    bounced = register(client, other, "+447700900204")
    client.request("POST", "/_local/email-event", {"type": "bounce", "to": other})
    shown = candidate(client, bounced["candidate_id"])
    assert shown["reachable"] == {"email": False, "sms": True, "whatsapp": False}
    assert shown["unreachable_reasons"] == {"email": "bounced", "whatsapp": "not_chosen"}


def test_erasure_takes_the_consent_record_and_the_welcome_with_it(client, stack, unique):
    client.set_clock(datetime(2034, 6, 6, 9, 0, tzinfo=UTC))
    email, phone = f"ada-{unique}@example.org", "+447700900205"
    registered = register(client, email, phone, sms_consent=None)
    client.request("POST", "/_local/sms", {"from": phone, "body": "YES"})
    assert candidate(client, registered["candidate_id"])["sms_yes"] is not None
    assert client.request("DELETE", f"/candidates/{registered['candidate_id']}").status == 204
    ddb = stack.aws.client("dynamodb")
    table = stack.template.ref("NudgesTable")
    items = ddb.scan(TableName=table)["Items"]
    mentions = [i for i in items if registered["candidate_id"] in str(i)]
    assert mentions == []


def test_no_oauth_client_configured_answers_503_naming_the_secret(client, stack, unique):
    """The CalendarOAuthClients secret as a deploy creates it: still empty."""
    import json
    import urllib.error
    import urllib.request

    empty = {"google": {"client_id": "", "client_secret": ""}, "microsoft": {"client_id": "", "client_secret": ""}}
    stack.aws.client("secretsmanager").put_secret_value(
        SecretId=stack.template.ref("CalendarOAuthClients"), SecretString=json.dumps(empty)
    )
    client.set_clock(datetime(2034, 7, 3, 9, 0, tzinfo=UTC))
    registered = register(client, f"ada-{unique}@example.org", "+447700900206")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # a redirect to a consent page would be a failure here, not a page to fetch

    from nudges.links import link

    assert registered["connect_urls"] == {}
    signing = stack.aws.client("secretsmanager").get_secret_value(SecretId=stack.template.ref("UnsubscribeSigningKey"))
    key = json.loads(signing["SecretString"])["key"]
    kept = link(
        stack.base_url, key if isinstance(key, str) else key[0], "connect", registered["candidate_id"], "connect/google"
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(kept, timeout=60) as answer:
            status, page = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, page = error.code, error.read().decode()
    # A candidate's page says it plainly: no ARN, no account id, no path (the operator's API names the secret)
    assert status == 503 and "Not available yet" in page
    assert "CalendarOAuthClients" not in page and "arn:" not in page and "docs/" not in page
    reply = client.request(
        "POST",
        f"/candidates/{registered['candidate_id']}/calendars",
        {"provider": "microsoft", "refresh_token": "anything"},
    )
    assert reply.status == 503, reply
    assert "CalendarOAuthClients" in reply.body["message"] and reply.body["field"] == "provider"


def test_a_forwarded_invite_is_acknowledged_with_what_was_read_or_what_was_wrong(client, unique):
    from tests.e2e.test_ics import BEFORE_THEM, fixture, mail

    client.set_clock(BEFORE_THEM)
    email = f"karim-{unique}@nilas.com"
    reply = client.register(email=email, timezone="Europe/Paris", channels=["email"], name="Karim Hamidou")
    assert reply.status == 201, reply
    address = reply.body["ics_inbox_email"]
    # When Karim forwards an Outlook invitation to his inbox address
    assert client.email(mail(address, fixture("outlook_request.ics"))).status == 202
    client.set_clock(BEFORE_THEM + timedelta(minutes=1))
    # Then a short email back says what was read, and when the research prompt comes
    [receipt] = [m for m in to(client, email) if m["subject"].startswith("Got it")]
    assert receipt["subject"] == "Got it: Fabrikam Energy, Tuesday 11 June at 11:30 (Central European Time)"
    assert (
        'Got it: "Technical interview - Data Engineer" with Fabrikam Energy, Tuesday 11 June at 11:30 (Central European Time); '
        "research prompt on Sunday 9 June at 11:30 (Central European Time)." in receipt["body"]
    )
    # When he forwards a mail with no invitation in it, and one whose file is broken
    from email.message import EmailMessage

    note = EmailMessage()
    note["From"], note["To"], note["Subject"] = "Karim <karim@nilas.com>", address, "Fwd: see you Tuesday"
    note.set_content("No calendar here.")
    assert client.email(bytes(note)).status == 202
    broken = mail(
        address,
        b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x-1\r\nSUMMARY:Interview\r\n"
        b"DTSTART:not-a-date\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    assert client.email(broken).status == 202
    problems = [m for m in to(client, email) if m["subject"] == "We could not use the invitation you forwarded"]
    assert len(problems) == 2
    assert "Not used: there was no calendar invitation (.ics) in the mail." in problems[0]["body"]
    assert "Not used: the invitation file could not be read" in problems[1]["body"]


def test_a_new_number_has_to_say_yes_itself_and_the_operator_can_preview_the_welcome(client, unique):
    now = datetime(2034, 8, 7, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, old, new = f"ada-{unique}@example.org", "+447700900207", "+447700900208"
    registered = register(client, email, old, sms_consent=None)
    client.request("POST", "/_local/sms", {"from": old, "body": "YES"})
    assert candidate(client, registered["candidate_id"])["reachable"]["sms"] is True
    # When the operator changes her number, the old number's YES does not count for the new one
    reply = client.request("PATCH", f"/candidates/{registered['candidate_id']}", {"phone": new})
    assert reply.status == 200, reply
    shown = candidate(client, registered["candidate_id"])
    assert shown["sms_yes"] is None and shown["unreachable_reasons"] == {
        "sms": "awaiting_sms_consent",
        "whatsapp": "not_chosen",
    }
    client.request("POST", "/_local/sms", {"from": old, "body": "YES"})  # the old phone: nobody's now
    assert candidate(client, registered["candidate_id"])["sms_yes"] is None
    client.request("POST", "/_local/sms", {"from": new, "body": "YES"})
    assert candidate(client, registered["candidate_id"])["reachable"]["sms"] is True
    # The operator previews the welcome as the candidate gets it
    interview_id = client.book(email, f"uid-{unique}", datetime(2034, 8, 10, 14, 0, tzinfo=UTC), now).body[
        "interview_id"
    ]
    preview = client.request("GET", f"/interviews/{interview_id}/nudges/welcome/preview?channel=email")
    assert preview.status == 200, preview
    assert preview.body["subject"] == "Welcome to Interview Nudges: what happens next"
    assert registered["preferences_url"] in preview.body["body"]


def test_the_operator_records_a_new_numbers_consent_with_the_change(client, unique):
    # Given a candidate whose texts await a YES
    now = datetime(2034, 8, 14, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, old, new = f"ada-consent-{unique}@example.org", "+447700900217", "+447700900218"
    registered = register(client, email, old, sms_consent=None)
    assert candidate(client, registered["candidate_id"])["unreachable_reasons"]["sms"] == "awaiting_sms_consent"
    # When the operator changes her number and records the consent she gave for it on a call
    consent = {"obtained_at": "2034-08-14T08:55:00+00:00", "method": "phone call with her adviser"}
    reply = client.request("PATCH", f"/candidates/{registered['candidate_id']}", {"phone": new, "sms_consent": consent})
    assert reply.status == 200, reply
    # Then texts reach the new number without a YES, and the consent is kept as given
    shown = candidate(client, registered["candidate_id"])
    assert shown["reachable"]["sms"] is True, shown
    assert shown["sms_consent"]["method"] == "phone call with her adviser"
    # A malformed consent changes nothing and names the field
    bad = client.request("PATCH", f"/candidates/{registered['candidate_id']}", {"sms_consent": {"method": "x"}})
    assert bad.status == 400 and "sms_consent" in bad.body["message"], bad
