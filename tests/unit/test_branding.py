"""Branding: an agency sends as itself. The sender's display name, the operator in every footer
("You get these nudges from <operator>"), and a support address when there is one."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from nudges import config
from nudges.adapters.email import EmailSender
from nudges.domain import messages
from tests.unit.test_email import RecordingSesV2
from tests.unit.test_messages import CANDIDATE, US_CANDIDATE, render

UNSUBSCRIBE = "https://nudges.example.com/unsubscribe/abc"
KINDS = ("research_prompt", "thank_you", "connect", "follow_up", "rejection_reply")

ACME = messages.Branding(
    sender_name="Acme Careers", operator_name="Acme Careers Ltd", support_email="help@acme.example"
)


def _all(candidate, branding):
    """Every kind of message, as the composer builds it for this candidate and operator."""
    return [render(kind, candidate, unsubscribe_url=UNSUBSCRIBE, branding=branding) for kind in KINDS]


@pytest.mark.parametrize("candidate", [CANDIDATE, US_CANDIDATE], ids=["en-GB", "en-US"])
def test_every_footer_names_the_operator_and_the_support_address(candidate):
    for message in _all(candidate, ACME):
        assert "You get these nudges from Acme Careers Ltd because you signed up for them." in message.text
        assert "Questions? Write to help@acme.example." in message.text
        assert "Interview Nudges" not in message.text
        assert "Acme Careers Ltd" in message.html and UNSUBSCRIBE in message.html


def test_the_default_names_the_service_and_has_no_support_line():
    for message in _all(CANDIDATE, messages.DEFAULT_BRANDING):
        assert "You get these nudges from Interview Nudges because you signed up for them." in message.text
        assert "Questions?" not in message.text


def test_the_operator_name_is_escaped_in_html():
    branded = messages.Branding(operator_name="Smith & <b>Jones</b>")
    message = render("thank_you", CANDIDATE, unsubscribe_url=UNSUBSCRIBE, branding=branded)
    assert "Smith &amp; &lt;b&gt;Jones&lt;/b&gt;" in message.html and "<b>Jones</b>" not in message.html


def test_the_email_comes_from_the_sender_name():
    ses = RecordingSesV2()
    EmailSender(ses, "nudges@acme.example", from_name="Acme Careers").send("ada@example.org", "S", "t", "<p>t</p>")
    mime = message_from_bytes(ses.requests[0]["Content"]["Raw"]["Data"], policy=policy.default)
    assert mime["From"] == "Acme Careers <nudges@acme.example>"


def test_branding_comes_from_the_template_parameters_environment(monkeypatch):
    monkeypatch.setenv("SENDER_NAME", "Acme Careers")
    monkeypatch.setenv("OPERATOR_NAME", "Acme Careers Ltd")
    monkeypatch.setenv("SUPPORT_EMAIL", "help@acme.example")
    assert config.branding() == ACME
    monkeypatch.setenv("SUPPORT_EMAIL", "")
    assert config.branding().support_email is None
