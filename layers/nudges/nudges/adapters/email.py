"""SES v2: each nudge as one MIME message, plain text and HTML, with one-click unsubscribe."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from nudges.domain.deliveries import LOG_TAG


class EmailSender:
    def __init__(
        self,
        sesv2_client: Any,
        from_address: str,
        configuration_set: str | None = None,
        from_name: str = "Interview Nudges",
    ) -> None:
        self._ses = sesv2_client
        self._from = from_address
        self._configuration_set = configuration_set
        self._from_name = from_name  # the display name (SenderName)

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        *,
        to_name: str | None = None,
        unsubscribe_url: str | None = None,
        ref: str | None = None,
    ) -> str:
        message = EmailMessage()
        if ref:
            # SES reads its message tags from this header of a raw email (and strips it before
            # sending); each event of the email carries them back (``mail.tags``).
            message["X-SES-MESSAGE-TAGS"] = f"{LOG_TAG}={ref}"
        message["From"] = formataddr((self._from_name, self._from))
        message["To"] = formataddr((to_name or "", to))
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self._from.rpartition("@")[2] or None)
        if unsubscribe_url:
            # RFC 8058: mail clients show an unsubscribe button that POSTs here, no login needed.
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        request: dict[str, Any] = {
            "FromEmailAddress": self._from,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return str(self._ses.send_email(**request)["MessageId"])
