"""Logger shared by every function: structured JSON, with addresses and numbers redacted.

Redaction happens on the serialised line, so nothing slips through an ``extra`` field, an
exception message or a nested payload.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# An address starts where a run of its characters starts (the look-behind): without it, a long
# run with no "@" (a 600 KB field in a logged payload) was tried from each of its characters,
# quadratic time that held a request for minutes.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+[1-9][0-9 ()\-]{6,18}[0-9]")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]  # always a dict here
        return redact(super().serialize(log))


logger = Logger(logger_formatter=RedactingFormatter())
