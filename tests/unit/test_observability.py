"""Log lines never carry an email address or a phone number, wherever they appear."""

from __future__ import annotations

import io
import json
import logging

from nudges.observability import logger, redact


def test_redact_replaces_addresses_and_e164_numbers():
    assert redact("to ada.l+jobs@example.co.uk and +44 7700 900123") == "to [email] and [phone]"
    assert redact("interview iv_489cb3f35f471b1ed4045357 at 2031-03-04T14:00:00Z") == (
        "interview iv_489cb3f35f471b1ed4045357 at 2031-03-04T14:00:00Z"
    )


def test_every_part_of_a_log_line_is_redacted():
    lines = io.StringIO()
    tap = logging.StreamHandler(lines)
    tap.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(tap)
    try:
        logger.info("sending to ada@example.org", extra={"phone": "+447700900123", "nested": {"to": ["sam@acme.com"]}})
    finally:
        logging.getLogger(logger.name).removeHandler(tap)
    line = json.loads(lines.getvalue())
    assert line["message"] == "sending to [email]"
    assert line["phone"] == "[phone]" and line["nested"] == {"to": ["[email]"]}
