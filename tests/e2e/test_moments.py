"""Useful while sent, the follow-up and the rejection reply, and SMS keywords, end to end through
the local stack's HTTP routes (a London candidate; December is GMT, so UTC is local time)."""

from __future__ import annotations

from datetime import UTC, datetime

JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


def register(client, email, phone):
    reply = client.register(
        email=email, timezone="Europe/London", channels=["email", "sms"], phone=phone, name="Ada Lovelace"
    )
    assert reply.status == 201, reply
    return reply.body["candidate_id"]


def book(client, email, uid, start, now, organizer=JANE):
    reply = client.book(email, uid, start, now, name="Ada Lovelace", organizer=organizer)
    assert reply.status == 200, reply
    return reply.body["interview_id"]


def sent_to(client, *addresses):
    """The nudges sent to these addresses (the welcome at registration aside)."""
    return [m for m in client.outbox() if m["to"] in addresses and m["kind"] != "welcome"]


def kinds(messages):
    return [(m["kind"], m["channel"]) for m in messages]


def nudges(client, candidate_id, interview_id):
    [interview] = [i for i in client.interviews(candidate_id) if i["interview_id"] == interview_id]
    return {n["kind"]: n for n in interview["nudges"]}


def test_a_2230_booking_for_0830_next_morning_gets_no_research_prompt(client, unique):
    # Given a candidate, and a booking made at 22:30 on Tuesday for 08:30 on Wednesday
    email, phone = f"ada-{unique}@example.org", "+447700900301"
    now = datetime(2036, 12, 9, 22, 30, tzinfo=UTC)
    client.set_clock(now)
    candidate_id = register(client, email, phone)
    interview_id = book(client, email, f"late-{unique}", datetime(2036, 12, 10, 8, 30, tzinfo=UTC), now)
    # Then the research prompt is skipped, with the reason, and the thank-you is planned
    planned = nudges(client, candidate_id, interview_id)
    assert planned["research_prompt"]["status"] == "skipped"
    assert planned["research_prompt"]["reason"] == (
        "too late to help: it would arrive less than 1 h before the interview starts"
    )
    assert planned["thank_you"]["status"] == "scheduled"
    # When the morning comes, no research prompt arrives at 08:00 (30 minutes before the start)
    client.set_clock(datetime(2036, 12, 10, 8, 0, tzinfo=UTC))
    assert sent_to(client, email, phone) == []
    client.set_clock(datetime(2036, 12, 10, 10, 30, tzinfo=UTC))
    assert kinds(sent_to(client, email, phone)) == [("thank_you", "email"), ("thank_you", "sms")]


def test_a_research_prompt_delivered_too_late_is_skipped_at_send_time(client, stack, unique):
    # Given a research prompt due on Monday 10:00 for Wednesday 10:00, whose schedule only
    # fires (a late retry, a redrive) after the interview has begun
    email, phone = f"ada-redrive-{unique}@example.org", "+447700900307"
    now = datetime(2036, 12, 15, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    candidate_id = register(client, email, phone)
    interview_id = book(client, email, f"redrive-{unique}", datetime(2036, 12, 17, 10, 0, tzinfo=UTC), now)
    # (its delivery failed past every retry and waited in the dead-letter queue: taken off
    # Scheduler here, then redriven to the sender once the interview has begun)
    scheduler, sqs = stack.aws.client("scheduler"), stack.aws.client("sqs")
    group = stack.template.ref("NudgeScheduleGroup")
    [name] = [
        s["Name"]
        for s in scheduler.list_schedules(GroupName=group, MaxResults=100)["Schedules"]
        if interview_id in s["Name"] and "research_prompt" in s["Name"]
    ]
    late_input = scheduler.get_schedule(Name=name, GroupName=group)["Target"]["Input"]
    scheduler.delete_schedule(Name=name, GroupName=group)
    client.set_clock(datetime(2036, 12, 17, 10, 30, tzinfo=UTC))
    queue = sqs.get_queue_url(QueueName=stack.template.ref("SendQueue").rsplit("/", 1)[-1])["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=late_input)
    client.set_clock(datetime(2036, 12, 17, 10, 31, tzinfo=UTC))
    # Then it is not sent, and the timeline says why
    assert not [m for m in client.outbox() if m["interview_id"] == interview_id]
    research = nudges(client, candidate_id, interview_id)["research_prompt"]
    assert research["status"] == "skipped" and "less than 1 h before" in research["reason"]


def test_a_follow_up_a_week_after_silence_and_none_after_an_outcome(client, unique):
    # Given two candidates, each with an interview ending on Tuesday 15:00
    now = datetime(2037, 12, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    silent, silent_phone = f"ada-silent-{unique}@example.org", "+447700900302"
    answered, answered_phone = f"ada-answered-{unique}@example.org", "+447700900303"
    silent_id = register(client, silent, silent_phone)
    answered_id = register(client, answered, answered_phone)
    start = datetime(2037, 12, 1, 14, 0, tzinfo=UTC)
    silent_iv = book(client, silent, f"fu-silent-{unique}", start, now)
    answered_iv = book(client, answered, f"fu-answered-{unique}", start, now)
    # the follow-up is planned for a week later, Tuesday 8 December at 10:00, and can be previewed
    assert nudges(client, silent_id, silent_iv)["follow_up"]["due_at"] == "2037-12-08T10:00:00Z"
    preview = client.request("GET", f"/interviews/{silent_iv}/nudges/follow_up/preview?channel=email")
    assert preview.status == 200 and "To: jane.doe@acme-robotics.com" in preview.body["body"], preview
    # When one of them hears back (withdrawn is any outcome) after the interview
    client.set_clock(datetime(2037, 12, 2, 9, 0, tzinfo=UTC))
    assert client.outcome(answered_iv, "withdrawn").status == 202
    # Then at 09:59 a week later nothing has followed up yet...
    client.set_clock(datetime(2037, 12, 8, 9, 59, tzinfo=UTC))
    assert not any(m["kind"] == "follow_up" for m in sent_to(client, silent, silent_phone))
    # ...and at 10:00 the silent one gets it, by email with a draft to the organiser, and by SMS
    client.set_clock(datetime(2037, 12, 8, 10, 0, tzinfo=UTC))
    follow_ups = [m for m in sent_to(client, silent, silent_phone) if m["kind"] == "follow_up"]
    assert kinds(follow_ups) == [("follow_up", "email"), ("follow_up", "sms")]
    email = follow_ups[0]
    assert email["interview_id"] == silent_iv and email["sent_at"] == "2037-12-08T10:00:00Z"
    assert "To: jane.doe@acme-robotics.com" in email["body"] and "Dear Jane," in email["body"]
    assert "next steps" in email["body"]
    # the one who heard back gets none, and sees why
    client.set_clock(datetime(2037, 12, 20, 10, 0, tzinfo=UTC))
    assert not any(m["kind"] == "follow_up" for m in sent_to(client, answered, answered_phone))
    follow_up = nudges(client, answered_id, answered_iv)["follow_up"]
    assert (follow_up["status"], follow_up["reason"]) == ("cancelled", "the application ended: withdrawn")
    assert nudges(client, silent_id, silent_iv)["follow_up"]["status"] == "sent"


def test_a_later_interview_takes_over_the_follow_up(client, unique):
    now = datetime(2038, 12, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-rounds-{unique}@example.org", "+447700900304"
    candidate_id = register(client, email, phone)
    first = book(client, email, f"r1-{unique}", datetime(2038, 12, 1, 14, 0, tzinfo=UTC), now)
    assert nudges(client, candidate_id, first)["follow_up"]["due_at"] == "2038-12-08T10:00:00Z"
    # Round 2 is booked on Friday for Monday 7th: round 1's follow-up gives way to round 2's
    client.set_clock(datetime(2038, 12, 4, 9, 0, tzinfo=UTC))
    second = book(client, email, f"r2-{unique}", datetime(2038, 12, 7, 11, 0, tzinfo=UTC), now)
    earlier = nudges(client, candidate_id, first)["follow_up"]
    assert (earlier["status"], earlier["reason"]) == (
        "cancelled",
        "a later interview was booked: it plans its own follow-up",
    )
    assert nudges(client, candidate_id, second)["follow_up"]["due_at"] == "2038-12-14T10:00:00Z"
    client.set_clock(datetime(2038, 12, 14, 10, 0, tzinfo=UTC))
    follow_ups = [m for m in sent_to(client, email, phone) if m["kind"] == "follow_up"]
    assert [(m["interview_id"], m["channel"]) for m in follow_ups] == [(second, "email"), (second, "sms")]


def test_a_rejection_reply_instead_of_the_thank_you(client, unique):
    # Given an interview that ended at 11:00, its thank-you due at 12:00
    now = datetime(2039, 12, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-rejected-{unique}@example.org", "+447700900305"
    candidate_id = register(client, email, phone)
    interview_id = book(client, email, f"rej-{unique}", datetime(2039, 12, 6, 10, 0, tzinfo=UTC), now)
    client.set_clock(datetime(2039, 12, 4, 10, 0, tzinfo=UTC))  # the research prompt
    client.set_clock(datetime(2039, 12, 6, 11, 20, tzinfo=UTC))
    before = len(sent_to(client, email, phone))
    # When the rejection comes
    assert client.outcome(interview_id, "rejected").status == 202
    client.set_clock(datetime(2039, 12, 6, 11, 20, tzinfo=UTC))  # delivers what is due now
    client.set_clock(datetime(2039, 12, 6, 13, 0, tzinfo=UTC))
    # Then a rejection reply goes at once, on both channels, and no thank-you ever
    after = sent_to(client, email, phone)[before:]
    assert kinds(after) == [("rejection_reply", "email"), ("rejection_reply", "sms")]
    reply = after[0]
    assert reply["interview_id"] == interview_id and reply["sent_at"] == "2039-12-06T11:20:00Z"
    assert "To: jane.doe@acme-robotics.com" in reply["body"]
    assert "feedback" in reply["body"] and "future roles" in reply["body"]
    client.set_clock(datetime(2039, 12, 20, 13, 0, tzinfo=UTC))
    assert not any(m["kind"] in ("thank_you", "follow_up") for m in sent_to(client, email, phone))
    planned = nudges(client, candidate_id, interview_id)
    assert (planned["thank_you"]["status"], planned["thank_you"]["reason"]) == (
        "cancelled",
        "replaced by the rejection reply",
    )
    assert planned["rejection_reply"]["status"] == "sent"
    preview = client.request("GET", f"/interviews/{interview_id}/nudges/rejection_reply/preview?channel=sms")
    assert preview.status == 200 and preview.body["body"] == after[1]["body"], preview


def test_stop_with_a_full_stop_stops_texts_and_help_is_answered_in_the_outbox(client, unique):
    now = datetime(2040, 12, 3, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email, phone = f"ada-stop-{unique}@example.org", "+447700900306"
    register(client, email, phone)
    interview_id = book(client, email, f"stop-{unique}", datetime(2040, 12, 10, 14, 0, tzinfo=UTC), now)
    # "help?" in any case is answered, and the answer is in the outbox with its kind and time
    assert client.request("POST", "/_local/sms", {"from": phone, "body": "help?"}).status == 202
    [help_reply] = [m for m in client.outbox() if m["to"] == phone and m["kind"] == "sms_reply"]
    assert help_reply["sent_at"] == "2040-12-03T09:00:00Z" and help_reply["channel"] == "sms"
    assert "Interview Nudges" in help_reply["body"] and "Reply STOP" in help_reply["body"]
    # "Stop." (a full stop, as people type it) opts out of texts. End User Messaging SMS puts the
    # number on its opt-out list itself and answers STOP with the number's own keyword response,
    # so the service sends nothing more to it, and its inbound function does not fail on it.
    assert client.request("POST", "/_local/sms", {"from": phone, "body": "Stop."}).status == 202
    client.set_clock(datetime(2040, 12, 8, 14, 0, tzinfo=UTC))  # the research prompt is due
    about = [m for m in client.outbox() if m["interview_id"] == interview_id]
    assert kinds(about) == [("research_prompt", "email")]
    assert [m["kind"] for m in client.outbox() if m["to"] == phone] == ["sms_reply"]
    shown = client.request("GET", f"/candidates?email={email}").body
    assert shown["reachable"]["sms"] is False and shown["unreachable_reasons"]["sms"] == "opted_out"