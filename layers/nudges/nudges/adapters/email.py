"""SES v2: each nudge as one MIME message (plain text plus an HTML rendering of it)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any


class EmailSender:
    def __init__(self, sesv2_client: Any, from_address: str) -> None:
        self._ses = sesv2_client
        self._from = from_address

    def send(self, to: str, subject: str, text: str, *, to_name: str | None = None) -> str:
        message = EmailMessage()
        message["From"] = formataddr(("Interview Nudges", self._from))
        message["To"] = formataddr((to_name or "", to))
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self._from.rpartition("@")[2] or None)
        message.set_content(text)
        message.add_alternative(
            '<html><body><pre style="font-family: sans-serif; white-space: pre-wrap">'
            f"{html.escape(text)}</pre></body></html>",
            subtype="html",
        )
        response = self._ses.send_email(
            FromEmailAddress=self._from,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": message.as_bytes()}},
        )
        return str(response["MessageId"])
