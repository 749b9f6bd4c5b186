"""What an adviser does from the console (nudges.services.adviser_actions): through the API's
services, refused without change on bad input, and each action audited with who did it."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from nudges.domain.advisers import Adviser
from nudges.errors import InvalidInput, NotFound
from nudges.services.adviser_actions import AdviserActions

NOW = datetime(2032, 3, 4, 16, tzinfo=UTC)
ADVISER = Adviser("sub-1", "adviser@example.org", frozenset({"advisers"}))


class _Candidates:
    def __init__(self):
        self.deleted: list[str] = []

    def get(self, candidate_id):
        if candidate_id != "c_1":
            raise NotFound(f"no candidate {candidate_id}", field="candidate_id")
        return SimpleNamespace(candidate_id="c_1", email="lin@example.org")

    def timeline(self, candidate_id, now):
        return [{"interview_id": "iv_1"}]

    def delete(self, candidate_id):
        self.deleted.append(candidate_id)


class _Outcomes:
    def __init__(self):
        self.recorded: list[tuple] = []

    def record_for_interview(self, interview_id, outcome, now):
        self.recorded.append((interview_id, outcome, now))
        return SimpleNamespace(application_id="ap_1")


class _Consent:
    def ask(self, candidate, now, *, again=True):
        assert again  # an adviser's click asks again
        return True


class _Audit:
    def __init__(self):
        self.entries = []

    def write(self, entry):
        self.entries.append(entry)


@pytest.fixture
def parts():
    return _Candidates(), _Outcomes(), _Consent(), _Audit()


def test_each_action_goes_through_the_service_and_is_audited_with_who(parts):
    candidates, outcomes, consent, audit = parts
    actions = AdviserActions(candidates, outcomes, consent, audit)
    assert actions.record_outcome(ADVISER, "c_1", "iv_1", "rejected", NOW) == "rejected"
    assert actions.resend_consent(ADVISER, "c_1", NOW) is True
    actions.erase(ADVISER, "c_1", " ERASE ", NOW)
    assert outcomes.recorded == [("iv_1", "rejected", NOW)] and candidates.deleted == ["c_1"]
    assert [(e.action, e.adviser_sub, e.adviser_email, e.candidate_id) for e in audit.entries] == [
        ("outcome", "sub-1", "adviser@example.org", "c_1"),
        ("consent_request", "sub-1", "adviser@example.org", "c_1"),
        ("erase", "sub-1", "adviser@example.org", "c_1"),
    ]
    assert audit.entries[0].interview_id == "iv_1" and "rejected" in audit.entries[0].detail
    assert audit.entries[2].subject == ""  # the erasure's own entry never names the candidate


@pytest.mark.parametrize(
    ("act", "error"),
    [
        (lambda a: a.record_outcome(ADVISER, "c_1", "iv_1", "hired", NOW), InvalidInput),
        (lambda a: a.record_outcome(ADVISER, "c_1", "iv_someone_else", "offer", NOW), NotFound),
        (lambda a: a.erase(ADVISER, "c_1", "erase", NOW), InvalidInput),
        (lambda a: a.erase(ADVISER, "c_nobody", "ERASE", NOW), NotFound),
    ],
)
def test_bad_input_changes_nothing_and_audits_nothing(parts, act, error):
    candidates, outcomes, consent, audit = parts
    with pytest.raises(error):
        act(AdviserActions(candidates, outcomes, consent, audit))
    assert outcomes.recorded == [] and candidates.deleted == [] and audit.entries == []
