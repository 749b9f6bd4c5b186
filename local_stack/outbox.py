"""What reached SES or SNS, read back from the AWS endpoint.

The messages come from the endpoint itself (moto's ``/moto-api/data.json``, or
LocalStack's ``/_aws/ses`` and ``/_aws/sns/sms-messages``); their metadata (kind,
interview, virtual send time) from the app's send records, kept on each item as it was sent: the
``send_<channel>`` maps on the nudge items and on the inbound texts a keyword reply answered
(message id, send time, order; kind ``sms_reply``), read with one Scan per outbox request (a
local control; the service itself never scans).
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.message
import email.policy
import functools
import json
import urllib.request
from datetime import datetime
from decimal import Decimal
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer

from . import embedded_moto

if TYPE_CHECKING:
    from .provision import Aws


def _get_json(url: str, timeout: float = 10) -> Any | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def _parsed(raw: str) -> email.message.EmailMessage:
    """A sent message parsed once: every outbox read and clock move lists them all again."""
    return email.message_from_string(raw, policy=email.policy.default)  # type: ignore[return-value]


def _text_part(raw: str) -> tuple[str, str, str]:
    """(To, Subject, text/plain body) of a MIME message."""
    msg = _parsed(raw)
    # The bare addresses: "Ada <ada@example.org>" is listed as "ada@example.org".
    to = ", ".join(addr for _name, addr in getaddresses([str(msg.get("To", "") or "")]) if addr)
    # Unfolded as RFC 5322 reads it: a long subject folded right after "Subject:" has no leading space.
    subject = str(msg.get("Subject", "") or "").strip()
    body = ""
    part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
    if part is not None and part.get_content_type() == "text/plain":
        body = part.get_content()
    elif not msg.is_multipart():
        body = msg.get_content() if msg.get_content_maintype() == "text" else ""
    return to, subject, body


def header(raw: str, name: str) -> str:
    """One header of a MIME message ("" when it has none)."""
    return str(_parsed(raw).get(name, "") or "")


def _email(message_id: str, to: str, subject: str, body: str, raw: str = "") -> dict[str, Any]:
    found = {"id": message_id, "channel": "email", "to": to, "subject": subject, "body": body}
    tags = header(raw, "X-SES-MESSAGE-TAGS") if raw else ""
    if tags:  # SES's message tags, as its events carry them back (local_stack.ses_events)
        found["tags"] = [tuple(p.strip().partition("=")[::2]) for p in tags.split(",") if "=" in p]
    return found


def _sms(message_id: str, to: str, body: str) -> dict[str, Any]:
    return {"id": message_id, "channel": "sms", "to": to, "body": body}


def _join(addresses: Any) -> str:
    if isinstance(addresses, dict):
        addresses = addresses.get("ToAddresses") or []
    if isinstance(addresses, str):
        return addresses
    return ", ".join(str(a) for a in addresses or [])


def _from_moto(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    ses = data.get("ses") or {}
    for record in ses.get("RawMessage", []):
        raw = record.get("raw_data") or ""
        to, subject, body = _text_part(raw)
        out.append(_email(record.get("id", ""), to or _join(record.get("destinations")), subject, body, raw))
    for record in ses.get("Message", []):
        body = record.get("body")
        if isinstance(body, dict):  # tolerate a structured body
            body = (body.get("Text") or {}).get("Data") or (body.get("Html") or {}).get("Data") or ""
        out.append(
            _email(record.get("id", ""), _join(record.get("destinations")), record.get("subject", ""), body or "")
        )
    for record in (data.get("sns") or {}).get("SMS", []):
        out.append(_sms(record.get("message_id", ""), record.get("phone_number", ""), record.get("message", "")))
    return out


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _from_localstack(endpoint: str) -> list[dict[str, Any]]:
    out = []
    ses = _get_json(f"{endpoint}/_aws/ses") or {}
    for m in ses.get("messages", []) if isinstance(ses, dict) else []:
        if m.get("RawData"):
            raw = m["RawData"]
            with contextlib.suppress(ValueError):
                raw = base64.b64decode(raw, validate=True).decode("utf-8")
            to, subject, body = _text_part(raw)
            out.append(_email(m.get("Id", ""), to or _join(m.get("Destination")), subject, body, raw))
        else:
            text = (m.get("Body") or {}).get("text_part") or (m.get("Body") or {}).get("html_part") or ""
            out.append(_email(m.get("Id", ""), _join(m.get("Destination")), m.get("Subject", ""), text))
    sms = _get_json(f"{endpoint}/_aws/sns/sms-messages") or {}
    for m in _walk(sms):
        if "PhoneNumber" in m and "Message" in m:
            out.append(_sms(m.get("MessageId", ""), m["PhoneNumber"], m["Message"]))
    return out


def sent_messages(endpoint: str) -> list[dict[str, Any]]:
    """Every message the endpoint accepted, in the order it lists them."""
    # moto builds this from every model it holds: after a chaos run (20 candidates) it took 31 s on
    # a loaded machine, and a timeout here reads as an empty outbox.
    if embedded_moto.is_embedded(endpoint):  # the same data, read in this process
        data: Any = {
            "ses": embedded_moto.models("ses", ("id", "raw_data", "destinations", "body", "subject")),
            "sns": embedded_moto.models("sns", ("message_id", "phone_number", "message")),
        }
    else:
        data = _get_json(f"{endpoint}/moto-api/data.json", timeout=180)
    if isinstance(data, dict):
        return _from_moto(data)
    return _from_localstack(endpoint)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _instant_key(value: Any) -> float:
    # Compare instants, not strings: two records may carry different UTC offsets.
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return float("inf")


def _send_records(ddb: Any, table_name: str) -> dict[str, dict[str, Any]]:
    """Message id -> kind, interview, send time and order, from the nudge items and the
    answered inbound texts."""
    deserializer = TypeDeserializer()
    records: dict[str, dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(
        TableName=table_name,
        # Nudges, inbound texts and WhatsApp messages answered with a keyword reply (kind
        # ``sms_reply``), and the join page's verification mails and consent requests (kinds
        # ``verification``, ``consent_request``: the sign-up is no candidate yet).
        FilterExpression=(
            "begins_with(SK, :nudge) OR (begins_with(PK, :inbound) AND attribute_exists(send_sms))"
            " OR (begins_with(PK, :inbound_whatsapp) AND attribute_exists(send_whatsapp))"
            " OR ((begins_with(PK, :verify) OR begins_with(PK, :asked)) AND attribute_exists(kind))"
            " OR (begins_with(PK, :invited) AND attribute_exists(kind))"  # an adviser's invitation
            # The message log (a notice to a changed email's old address, an invite receipt...):
            # the kind of what no nudge item names.
            " OR begins_with(SK, :message)"
        ),
        ExpressionAttributeValues={
            ":nudge": {"S": "NUDGE#"},
            ":inbound": {"S": "INBOUND_SMS#"},
            ":inbound_whatsapp": {"S": "INBOUND_WHATSAPP#"},
            ":verify": {"S": "VERIFY#"},
            ":asked": {"S": "CONSENT_ASKED#"},
            ":invited": {"S": "ADVISER_INVITE#"},
            ":message": {"S": "MESSAGE#"},
        },
    ):
        for raw in page.get("Items", []):
            item = {k: _plain(deserializer.deserialize(v)) for k, v in raw.items()}
            if str(item.get("SK", "")).startswith("MESSAGE#") and item.get("provider_message_id"):
                records.setdefault(
                    item["provider_message_id"],
                    {
                        "kind": item.get("kind"),
                        "interview_id": item.get("interview_id"),
                        "sent_at": item.get("sent_at"),
                        "sent_order": 0,
                    },
                )
                continue
            for key, send in item.items():
                if key.startswith("send_") and isinstance(send, dict):
                    records[send["message_id"]] = {
                        "kind": item.get("kind"),
                        "interview_id": item.get("interview_id"),
                        "sent_at": send.get("sent_at"),
                        "sent_order": _plain(send.get("sent_order")),
                    }
    return records


def build_outbox(
    aws: Aws, table_name: str | None, index_name: str = "GSI1", emulated: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Every message sent, in send order: what the AWS endpoint recorded, and what the stack's own
    End User Messaging emulators did (``emulated``: texts and WhatsApp messages)."""
    messages = sent_messages(aws.endpoint_url) + list(emulated or [])
    records = _send_records(aws.client("dynamodb"), table_name) if table_name and messages else {}
    recorded: list[tuple[tuple[float, int], dict[str, Any]]] = []
    unrecorded: list[dict[str, Any]] = []
    for msg in messages:
        record = records.get(msg["id"]) if msg["id"] else None
        entry = {"channel": msg["channel"], "to": msg["to"]}
        if msg["channel"] == "email":
            entry["subject"] = msg["subject"]
        entry["body"] = msg["body"]
        if msg.get("template"):
            entry["template"] = msg["template"]
        entry["kind"] = record.get("kind") if record else None
        entry["interview_id"] = record.get("interview_id") if record else None
        entry["sent_at"] = record.get("sent_at") if record else None
        if record:
            recorded.append(((_instant_key(record.get("sent_at")), int(record.get("sent_order") or 0)), entry))
        else:
            unrecorded.append(entry)
    recorded.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in recorded] + unrecorded
