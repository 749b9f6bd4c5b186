"""The repositories against DynamoDB (the local stack's moto server): what an operator or the
console reads back is what was written, each candidate once, and items written by earlier
versions of the service still read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from local_stack import LocalStack
from local_stack.console import gather

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def stack():
    with LocalStack(ROOT) as stack:
        stack.set_clock(NOW)
        yield stack


@pytest.fixture(scope="module")
def candidates(stack):
    from nudges.adapters.candidates import CandidateRepository

    return CandidateRepository(stack.aws.client("dynamodb"), stack.template.ref("NudgesTable"))


def _candidate(n: int, email: str):
    from nudges.domain.candidate import Candidate

    return Candidate(
        candidate_id=f"c_listing{n:04d}",
        email=email,
        timezone="Europe/London",
        channels=("email",),
        created_at=NOW.replace(minute=n),
        ics_inbox_token=f"inbox-token-listing-{n:04d}",
        name=f"Listed {n}",
    )


def test_listing_candidates_names_each_once_as_the_console_shows_them(stack, candidates):
    first, second = _candidate(1, "one@example.org"), _candidate(2, "Two@Example.org")
    candidates.add(first)
    candidates.add(second)

    listed = [c.candidate_id for c in candidates.all()]
    assert listed.count(first.candidate_id) == 1
    assert listed.count(second.candidate_id) == 1
    assert listed.index(first.candidate_id) < listed.index(second.candidate_id)  # oldest registration first
    shown = [row["candidate"].candidate_id for row in gather(stack)["candidates"]]
    assert shown.count(first.candidate_id) == 1 and shown.count(second.candidate_id) == 1
    # The email pointer still finds the whole profile in one read.
    assert candidates.by_email("two@example.org") == candidates.get(second.candidate_id)


def test_a_pointer_written_with_the_listing_keys_is_still_read_and_listed_once(stack, candidates):
    """Earlier versions copied the whole profile, GSI1 keys included, onto the email pointer."""
    old = _candidate(3, "old@example.org")
    candidates.add(old)
    db = stack.aws.client("dynamodb")
    table = stack.template.ref("NudgesTable")
    profile = db.get_item(TableName=table, Key={"PK": {"S": f"CANDIDATE#{old.candidate_id}"}, "SK": {"S": "PROFILE"}})
    db.put_item(
        TableName=table, Item={**profile["Item"], "PK": {"S": "EMAIL#old@example.org"}, "SK": {"S": "CANDIDATE"}}
    )

    assert [c.candidate_id for c in candidates.all()].count(old.candidate_id) == 1
    assert candidates.by_email("old@example.org") == old


def test_registering_an_address_twice_is_refused_and_changes_nothing(candidates):
    from nudges.errors import Conflict

    taken = _candidate(4, "taken@example.org")
    candidates.add(taken)
    with pytest.raises(Conflict) as refused:
        candidates.add(_candidate(5, "taken@example.org"))
    assert refused.value.field == "email"
    assert candidates.get("c_listing0005") is None
    assert candidates.by_email("taken@example.org") == taken


def test_a_sent_message_is_logged_with_its_send_and_its_events_find_it_by_the_key_it_carried(stack):
    """One transaction records the send on the nudge and logs the message at a key known before
    the send; the event carrying that key moves the status with one write, never back, and an
    event whose key names another message falls back to the provider id's lookup."""
    from datetime import timedelta

    from nudges.adapters.message_log import MessageLog
    from nudges.adapters.nudge_ledger import NudgeLedger
    from nudges.domain.deliveries import LoggedMessage
    from nudges.domain.records import NudgeRecord

    db, table = stack.aws.client("dynamodb"), stack.template.ref("NudgesTable")
    ledger, log = NudgeLedger(db, table, timedelta(days=30)), MessageLog(db, table, timedelta(days=30))
    nudge = NudgeRecord("i_logkey", "thank_you", "scheduled", "i_logkey", due_at=NOW, candidate_id="c_logkey")
    ledger.put(nudge, expires_after=NOW)
    claim = ledger.claim_send(nudge, NOW, timedelta(minutes=2))
    order = 1234
    ref = log.ref("c_logkey", NOW, order, "email")
    sent = LoggedMessage("c_logkey", "thank_you", "email", "ses-logkey-1", NOW, interview_id="i_logkey")
    ledger.record_send(nudge, claim, "email", "ses-logkey-1", NOW, order, last=True, logged=sent)

    assert ledger.get("i_logkey", "thank_you").status == "sent"
    (logged,) = log.for_candidate("c_logkey")
    assert (logged.provider_message_id, logged.status) == ("ses-logkey-1", "sent")
    assert log.set_status("ses-logkey-1", "delivered", NOW, ref).status == "delivered"
    assert log.set_status("ses-logkey-1", "sent", NOW, ref).status == "delivered"  # never back
    assert log.set_status("ses-other", "delivered", NOW, ref) is None  # the key is another message's
    assert log.set_status("ses-logkey-1", "bounced", NOW, "not-a-key").status == "bounced"  # looked up


def test_a_send_whose_claim_was_lost_is_still_logged_and_its_record_refused(stack):
    from datetime import timedelta

    from botocore.exceptions import ClientError

    from nudges.adapters.message_log import MessageLog
    from nudges.adapters.nudge_ledger import NudgeLedger
    from nudges.domain.deliveries import LoggedMessage
    from nudges.domain.records import NudgeRecord, SendClaim

    db, table = stack.aws.client("dynamodb"), stack.template.ref("NudgesTable")
    ledger, log = NudgeLedger(db, table, timedelta(days=30)), MessageLog(db, table, timedelta(days=30))
    nudge = NudgeRecord("i_lostclaim", "thank_you", "scheduled", "i_lostclaim", due_at=NOW, candidate_id="c_lost")
    ledger.put(nudge, expires_after=NOW)
    ledger.claim_send(nudge, NOW, timedelta(minutes=2))
    someone_else = SendClaim("claimed", "not-this-deliverys-token", frozenset())
    sent = LoggedMessage("c_lost", "thank_you", "email", "ses-lost-1", NOW, interview_id="i_lostclaim")
    with pytest.raises(ClientError):
        ledger.record_send(nudge, someone_else, "email", "ses-lost-1", NOW, 99, last=True, logged=sent)
    assert [m.provider_message_id for m in log.for_candidate("c_lost")] == ["ses-lost-1"]
    assert ledger.get("i_lostclaim", "thank_you").status == "scheduled"


def test_a_send_reads_the_opt_outs_it_was_planned_with_beside_the_profile(stack, candidates):
    """One read gives the sender the owner, the profile and why each channel refuses; should the
    candidate's address have changed since the plan, the view says it did not read the refusals
    (the sender reads them again) rather than answer for an address no longer theirs."""
    from dataclasses import replace
    from datetime import timedelta

    from nudges.adapters.contact_preferences import ContactPreferences
    from nudges.adapters.nudge_ledger import NudgeLedger
    from nudges.domain.channels import opt_outs

    db, table = stack.aws.client("dynamodb"), stack.template.ref("NudgesTable")
    ledger, preferences = NudgeLedger(db, table, timedelta(days=30)), ContactPreferences(db, table)
    ada = replace(_candidate(59, "ada.optouts@example.org"), phone="+447700900901", channels=("email", "sms"))
    candidates.add(ada)
    preferences.suppress_email(ada.email, "bounced", NOW)

    view = ledger.delivery_view(ada.candidate_id, "welcome", ada.candidate_id, opt_outs(ada))
    assert view.candidate is not None and view.candidate.email == ada.email
    assert view.refused == {"email": "bounced"} == preferences.refusals(ada)

    planned_for_another_address = opt_outs(replace(ada, email="ada.before@example.org"))
    assert (
        ledger.delivery_view(ada.candidate_id, "welcome", ada.candidate_id, planned_for_another_address).refused is None
    )
    assert ledger.delivery_view(ada.candidate_id, "welcome", ada.candidate_id).refused is None  # planned before


def test_the_connected_accounts_are_read_without_their_tokens_and_learnt_later(stack):
    from nudges.adapters.calendar_connections import CalendarConnection, CalendarConnections

    client = stack.aws.client("dynamodb")
    read: list[dict] = []  # every item a Query brought back, as it came over the wire
    client.meta.events.register("after-call.dynamodb.Query", lambda parsed, **_: read.extend(parsed["Items"]))
    calendars = CalendarConnections(client, stack.template.ref("NudgesTable"))
    google = CalendarConnection(
        "c_accounts01", "google", "primary", "1//secret-refresh", NOW, "https://x.example/webhooks/google"
    )
    microsoft = CalendarConnection(
        "c_accounts01",
        "microsoft",
        "primary",
        "M.secret-refresh",
        NOW,
        "https://x.example/webhooks/microsoft",
        account_email="ada@contoso.example",
    )
    other = CalendarConnection("c_accounts02", "google", "primary", "x", NOW, "https://x", account_email="b@x.io")
    for connection in (google, microsoft, other):
        calendars.save(connection)
    assert calendars.account_emails("c_accounts01") == ["ada@contoso.example"]  # the Google one not known yet
    calendars.set_account_email(google, "ada.work@gmail.com")
    assert sorted(calendars.account_emails("c_accounts01")) == ["ada.work@gmail.com", "ada@contoso.example"]
    # The Query reads the address alone: no refresh token crosses the wire
    assert read and all(set(item) <= {"account_email"} for item in read)
    assert calendars.get("c_accounts01", "google", "primary").refresh_token == "1//secret-refresh"  # type: ignore[union-attr]
