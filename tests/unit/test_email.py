"""The MIME message SES receives: both parts, and one-click unsubscribe headers (RFC 8058)."""

from __future__ import annotations

from email import message_from_bytes, policy

from nudges.adapters.email import EmailSender


class RecordingSesV2:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def send_email(self, **request):
        self.requests.append(request)
        return {"MessageId": "0100-test"}


def test_email_is_multipart_with_unsubscribe_headers_and_configuration_set():
    ses = RecordingSesV2()
    sender = EmailSender(ses, "nudges@example.com", "nudges-config")
    message_id = sender.send(
        "ada@example.org",
        "Subject line",
        "Plain text\n",
        "<p>HTML</p>",
        to_name="Ada Lovelace",
        unsubscribe_url="https://x.example/unsubscribe/t",
    )
    assert message_id == "0100-test"
    [request] = ses.requests
    assert request["ConfigurationSetName"] == "nudges-config"
    mime = message_from_bytes(request["Content"]["Raw"]["Data"], policy=policy.default)
    assert mime["To"] == "Ada Lovelace <ada@example.org>"
    assert mime["List-Unsubscribe"] == "<https://x.example/unsubscribe/t>"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in mime.iter_parts()] == ["text/plain", "text/html"]
    assert mime.get_body(("plain",)).get_content() == "Plain text\n"
