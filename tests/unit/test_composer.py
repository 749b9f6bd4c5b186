"""The composer reads the application as it stands at send time: who is new, best-known names,
whom a follow-up goes to, and whether the nudge still has something to say."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from nudges import service_builders
from nudges.domain.candidate import Candidate
from nudges.domain.interview import Interview, Person
from nudges.domain.records import Application

if TYPE_CHECKING:
    from nudges.services.composing import MessageComposer

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
ADA = Candidate(
    "c_1", "ada@example.org", "Europe/London", ("email", "sms"), NOW, "tok", "+447700900123", "Ada Lovelace"
)


class Store:
    """The composer's three ports (interviews, applications, candidates), from memory."""

    def __init__(self, interviews: list[Interview], application: Application | None = None) -> None:
        self.interviews = {i.interview_id: i for i in interviews}
        self.application = application

    def composer(self) -> MessageComposer:
        interviews = SimpleNamespace(
            get=lambda i: (self.interviews[i], 1) if i in self.interviews else None,
            for_email=lambda _email: list(self.interviews.values()),
        )
        applications = SimpleNamespace(
            get=lambda a: self.application if self.application and self.application.application_id == a else None
        )
        candidates = SimpleNamespace(by_email=lambda e: ADA if e == ADA.email else None)
        ports: Any = SimpleNamespace(interviews=interviews, applications=applications, candidates=candidates)
        return service_builders.build_composer(ports, lambda _id: None)


def _round(n: int, day: int, interviewers, contacts=(), status="scheduled") -> Interview:
    start = datetime(2026, 12, day, 14, tzinfo=UTC)
    return Interview(
        interview_id=f"iv_{n}",
        source="ics",
        source_ref=str(n),
        candidate_email=ADA.email,
        company="globex",
        title="Interview",
        start=start,
        end=start + timedelta(hours=1),
        interviewers=tuple(interviewers),
        contacts=tuple(contacts),
        status=status,
    )


JOSE, WANG = Person("José García", "jose@globex.com"), Person("王伟", "wang.wei@globex.com")
LEE, RECRUITING = Person("Lee Chan", "lee@globex.com"), Person("Globex Recruiting", "recruiting@globex.com")
# As interviews were stored before "who is a person" was one rule: the role mailbox among them.
ROUND_1 = _round(1, 3, [RECRUITING, JOSE, WANG])
ROUND_2 = _round(2, 10, [JOSE, Person("wang.wei", "wang.wei@globex.com"), LEE], contacts=[RECRUITING])


def compose(kind, owner, store, now):
    composed = store.composer().compose(owner, kind, now=now)
    assert not isinstance(composed, str), composed
    return composed[1]


def test_round_two_research_says_who_is_new_with_names_known_from_round_one():
    text = compose("research_prompt", "iv_2", Store([ROUND_1, ROUND_2]), datetime(2026, 12, 8, 14, tzinfo=UTC)).text
    assert "New in this round: research them.\n  - Lee Chan" in text
    assert "  - José García\n  - 王伟" in text and "wang.wei" not in text.split("--")[0].replace("wang.wei@", "")
    assert "Globex Recruiting" not in text


def test_a_stored_role_mailbox_is_never_thanked_and_the_thank_you_covers_that_round_only():
    text = compose("thank_you", "iv_1", Store([ROUND_1, ROUND_2]), datetime(2026, 12, 4, 8, tzinfo=UTC)).text
    assert re.findall(r"^To: (.+)$", text, re.M) == ["jose@globex.com", "wang.wei@globex.com"]
    assert "Dear Globex" not in text and "lee@globex.com" not in text
    assert "speak with me yesterday" in text  # the send time, not the planned time, decides


def test_connect_lists_everyone_once_by_their_best_name():
    application = Application(ROUND_1.application_id, ADA.email, "globex", "offer", NOW, "iv_1")
    text = compose("connect", ROUND_1.application_id, Store([ROUND_1, ROUND_2], application), NOW).text
    assert re.findall(r"^  - (.+)$", text, re.M) == ["José García", "王伟", "Lee Chan"]


def test_a_follow_up_goes_to_the_contact_and_a_rejection_reply_needs_a_rejection():
    store = Store([ROUND_1, ROUND_2])
    follow = compose("follow_up", "iv_2", store, datetime(2026, 12, 17, 10, tzinfo=UTC))
    assert "To: recruiting@globex.com" in follow.text and "Hello," in follow.text
    composer = store.composer()
    assert composer.compose("iv_2", "rejection_reply", now=NOW) == "the application has no rejected outcome"
    rejected_at = datetime(2026, 12, 16, 9, tzinfo=UTC)
    store.application = Application(ROUND_1.application_id, ADA.email, "globex", "rejected", rejected_at, "iv_1")
    assert composer.compose("iv_2", "follow_up", now=NOW) == "the application ended: rejected"
    reply = compose("rejection_reply", ROUND_1.application_id, store, rejected_at)  # an application's nudge
    assert "To: recruiting@globex.com" in reply.text and "feedback" in reply.text


def test_without_a_contact_the_follow_up_goes_to_the_last_interviewer():
    store = Store([_round(1, 3, [JOSE]), _round(2, 10, [LEE, JOSE])])
    follow = compose("follow_up", "iv_2", store, datetime(2026, 12, 17, 10, tzinfo=UTC))
    assert "To: lee@globex.com" in follow.text and "Dear Lee Chan," in follow.text
