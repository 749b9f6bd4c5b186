"""AWS End User Messaging Social (``socialmessaging``), served at ``/_aws/social-messaging``.

moto lacks the service, so the stack plays it, and Meta's WhatsApp Cloud API behind it: each
request checked against botocore's model (``aws_api``), then the ``message`` blob as Meta reads
it. What it holds:

- one linked WhatsApp Business Account (WABA) with the phone number id the template's
  ``WhatsAppPhoneNumberId`` Parameter names, and its event destination (the operator's
  ``PutWhatsAppBusinessAccountEventDestinations``, which the stack calls with the template's
  ``WhatsAppEventsTopic`` as an operator would once);
- the approved message templates: what ``CreateWhatsAppMessageTemplate`` submitted (the stack
  submits the repository's templates at start, as ``docs/operations.md`` tells an operator to);
  Meta approves them here at once;
- every message sent, for ``GET /_local/outbox`` (a template's body rendered with its values).

Meta's rules, as its Cloud API applies them: a template message must name an approved template
in that language with exactly its parameters (else the send fails, error 132000/132001); free
text is accepted, then fails with 131047 (re-engagement) unless the number wrote to the business
within the last 24 hours. Status events (``sent``, then ``delivered``, for every message; any
status on ``POST /_local/message-status``) and inbound messages (``POST /_local/whatsapp``) are
published to the WABA's event destination as AWS relays Meta's webhooks: the AWS header
(``context``, ``messageId``...) with the webhook entry as a JSON string (``whatsAppWebhookEntry``).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .aws_api import ApiError, EndpointStore, RestJsonApi, validate

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .apigw import HttpResponse

PATH = "/_aws/social-messaging"
# The operator's WhatsApp templates, one JSON file per kind and locale in the form Meta takes
# (CreateWhatsAppMessageTemplate's templateDefinition; docs/operations.md).
TEMPLATES_DIR = "layers/nudges/nudges/whatsapp_templates"
SERVICE = "socialmessaging"
SERVICE_WINDOW = timedelta(hours=24)  # Meta's customer service window
STATUSES = ("sent", "delivered", "read", "failed")
_NAMED = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_POSITIONAL = re.compile(r"\{\{\s*([0-9]+)\s*\}\}")


@dataclass
class SentWhatsApp:
    message_id: str  # AWS's messageId (SendWhatsAppMessage's answer, and each event's header)
    wamid: str  # Meta's message id (the webhook's statuses[].id)
    to: str  # E.164
    body: str
    template: str | None
    sent_at: datetime
    failure: dict[str, Any] | None = None  # Meta's error, when the message fails after acceptance
    events_due: bool = True
    values: dict[str, str] | None = None  # a template's variables as the message gave them


def repository_templates(root: Path) -> list[bytes]:
    """Every WhatsApp template the repository keeps, as submitted to Meta."""
    return [path.read_bytes() for path in sorted((root / TEMPLATES_DIR).glob("*/*.json"))]


def _digits(number: str) -> str:
    return number.lstrip("+")


def _stamp(now: datetime) -> str:
    return str(int(now.timestamp()))


class SocialMessagingEmulator:
    def __init__(
        self,
        region: str,
        account_id: str,
        now: Callable[[], datetime],
        publish: Callable[[str, dict[str, Any]], None],
        store: EndpointStore | None = None,
    ) -> None:
        self.api = RestJsonApi(SERVICE)
        self.region = region
        self.account_id = account_id
        self._now = now
        self._publish = publish
        self._lock = threading.RLock()
        self.waba_id = "waba-" + uuid.uuid5(uuid.NAMESPACE_URL, f"local-waba-{account_id}").hex
        self.meta_waba_id = "1029384756473829"
        self.phone_number_ids: dict[str, dict[str, str]] = {}  # id -> meta id, display number
        self.event_destinations: list[dict[str, str]] = []
        self.templates: dict[tuple[str, str], dict[str, Any]] = {}  # (name, language) -> definition
        self.sent: list[SentWhatsApp] = []
        self.last_inbound: dict[str, datetime] = {}
        # Messages sent and the numbers' last inbound message live in the AWS endpoint.
        self._store = store or EndpointStore(None, "", "")
        for _key, record in self._store.load("sent"):
            record["sent_at"] = datetime.fromisoformat(record["sent_at"])
            self.sent.append(SentWhatsApp(**{**record, "events_due": False}))
        for key, record in self._store.load("inbound"):
            self.last_inbound[key] = datetime.fromisoformat(record["at"])

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:social-messaging:{self.region}:{self.account_id}:{kind}/{name.split('-')[-1]}"

    # ------------------------------------------------------------------ HTTP

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        try:
            operation, params = self.api.read(method, path, query, headers, body)
            return self.api.answer(operation, self._call(operation.name, params))
        except ApiError as error:
            return self.api.error(error)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """An operation called in-process (the stack's set-up), validated as a request is."""
        validate(self.api.model.operation_model(operation), params)
        return self._call(operation, params)

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, f"_op_{operation}", None)
        if method is None:
            raise ApiError("ValidationException", f"{operation} is not served locally")
        with self._lock:
            return method(**params)

    # ------------------------------------------------------------------ set-up

    def link_phone_number(self, phone_number_id: str, display_number: str = "+15555550101") -> None:
        """The WABA's phone number (the template's ``WhatsAppPhoneNumberId``)."""
        key = phone_number_id.rsplit("/", 1)[-1]
        meta = str(int(uuid.uuid5(uuid.NAMESPACE_URL, key).int % 10**15))
        with self._lock:
            self.phone_number_ids[key] = {"meta": meta, "display": display_number}

    def _phone(self, name: str) -> tuple[str, dict[str, str]]:
        key = name.rsplit("/", 1)[-1]
        if not key.startswith("phone-number-id-"):
            key = "phone-number-id-" + key
        if key not in self.phone_number_ids:
            raise ApiError(
                "ResourceNotFoundException", f"phone number id {name} is not linked to a WhatsApp Business Account"
            )
        return key, self.phone_number_ids[key]

    def _waba(self, name: str) -> None:
        if name not in (self.waba_id, self._arn("waba", self.waba_id)):
            raise ApiError("ResourceNotFoundException", f"WhatsApp Business Account {name} is not linked")

    # ------------------------------------------------------------------ operations

    def _op_PutWhatsAppBusinessAccountEventDestinations(
        self, id: str, eventDestinations: list[dict[str, str]]
    ) -> dict[str, Any]:
        self._waba(id)
        self.event_destinations = [dict(d) for d in eventDestinations]
        return {}

    def _account(self) -> dict[str, Any]:
        return {
            "arn": self._arn("waba", self.waba_id),
            "id": self.waba_id,
            "wabaId": self.meta_waba_id,
            "registrationStatus": "COMPLETE",
            "linkDate": self._now(),
            "wabaName": "Interview Nudges (local)",
            "eventDestinations": self.event_destinations,
        }

    def _op_ListLinkedWhatsAppBusinessAccounts(self, **_: Any) -> dict[str, Any]:
        return {"linkedAccounts": [self._account()]}

    def _op_GetLinkedWhatsAppBusinessAccountPhoneNumber(self, id: str) -> dict[str, Any]:
        key, phone = self._phone(id)
        return {
            "phoneNumber": {
                "arn": self._arn("phone-number-id", key),
                "phoneNumber": phone["display"],
                "phoneNumberId": key,
                "metaPhoneNumberId": phone["meta"],
                "displayPhoneNumberName": "Interview Nudges",
                "displayPhoneNumber": phone["display"],
                "qualityRating": "GREEN",
            },
            "linkedWhatsAppBusinessAccountId": self.waba_id,
        }

    def _op_CreateWhatsAppMessageTemplate(self, templateDefinition: bytes, id: str) -> dict[str, Any]:
        self._waba(id)
        try:
            definition = json.loads(templateDefinition)
        except ValueError as exc:
            raise ApiError("InvalidParametersException", "templateDefinition is not JSON") from exc
        name, language = definition.get("name"), definition.get("language")
        category = str(definition.get("category") or "")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,512}", name):
            raise ApiError("InvalidParametersException", "name: lower-case letters, digits and underscores")
        if not isinstance(language, str) or category not in ("UTILITY", "MARKETING", "AUTHENTICATION"):
            raise ApiError(
                "InvalidParametersException",
                "language and a category (UTILITY, MARKETING, AUTHENTICATION) are required",
            )
        body = next((c for c in definition.get("components") or [] if c.get("type") == "BODY"), None)
        if body is None or not isinstance(body.get("text"), str):
            raise ApiError("InvalidParametersException", "a BODY component with its text is required")
        self.templates[(name, language)] = definition
        meta_id = str(int(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{language}").int % 10**15))
        return {"metaTemplateId": meta_id, "templateStatus": "APPROVED", "category": category}

    def _op_SendWhatsAppMessage(
        self, originationPhoneNumberId: str, message: bytes, metaApiVersion: str
    ) -> dict[str, Any]:
        self._phone(originationPhoneNumberId)
        if not re.fullmatch(r"v[0-9]+\.[0-9]+", metaApiVersion):
            raise ApiError(
                "ValidationException", f"metaApiVersion: {metaApiVersion!r} is not a Graph API version such as v20.0"
            )
        try:
            payload = json.loads(message)
        except ValueError as exc:
            raise ApiError("ValidationException", "message: not JSON (the WhatsApp Cloud API message object)") from exc
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            raise ApiError("ValidationException", "message: messaging_product must be whatsapp")
        to = str(payload.get("to") or "")
        if not re.fullmatch(r"\+?[1-9][0-9]{6,14}", to):
            raise ApiError("ValidationException", "message: to must be the recipient's phone number")
        now = self._now()
        number = "+" + _digits(to)
        failure = None
        kind = payload.get("type", "text")
        if kind == "template":
            body, template, values = self._render(payload.get("template"))
        elif kind == "text":
            text = payload.get("text")
            if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"].strip():
                raise ApiError("ValidationException", "message: text.body is required for a text message")
            body, template, values = text["body"], None, None
            last = self.last_inbound.get(number)
            if last is None or now - last > SERVICE_WINDOW:
                failure = {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "message": "Re-engagement message",
                    "error_data": {
                        "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                    },
                }
        else:
            raise ApiError(
                "ValidationException", f"message: type {kind!r} is not sent by this service (template or text)"
            )
        message_id = str(uuid.uuid4())
        wamid = "wamid." + uuid.uuid4().hex.upper()
        sent = SentWhatsApp(message_id, wamid, number, body, template, now, failure, values=values)
        self.sent.append(sent)
        self._store.put(f"sent/{time.time_ns():020d}-{message_id}", {**asdict(sent), "events_due": False})
        return {"messageId": message_id}

    def _render(self, template: Any) -> tuple[str, str, dict[str, str]]:
        """The template's body with the message's values, or Meta's refusal."""
        if not isinstance(template, dict) or not isinstance(template.get("name"), str):
            raise ApiError("ValidationException", "message: template.name is required")
        name = template["name"]
        language = (template.get("language") or {}).get("code")
        definition = self.templates.get((name, str(language)))
        if definition is None:
            raise ApiError(
                "DependencyException", f"(#132001) Template name does not exist in the translation: {name} ({language})"
            )
        text = next(c["text"] for c in definition["components"] if c.get("type") == "BODY")
        given: dict[str, str] = {}
        positional: list[str] = []
        for component in template.get("components") or []:
            if component.get("type") != "body":
                continue
            for parameter in component.get("parameters") or []:
                if parameter.get("type") != "text" or not isinstance(parameter.get("text"), str):
                    raise ApiError(
                        "DependencyException",
                        "(#132012) Parameter format does not match format in the created template",
                    )
                if "parameter_name" in parameter:
                    given[str(parameter["parameter_name"])] = parameter["text"]
                else:
                    positional.append(parameter["text"])
        if definition.get("parameter_format", "POSITIONAL").upper() == "NAMED":
            wanted = _NAMED.findall(text)
            if set(given) != set(wanted) or positional:
                raise ApiError(
                    "DependencyException",
                    f"(#132000) Number of parameters does not match the expected number of params: {name} wants {', '.join(wanted) or 'none'}",
                )
            return _NAMED.sub(lambda m: given[m.group(1)], text), name, given
        wanted = _POSITIONAL.findall(text)
        if len(positional) != len(wanted) or given:
            raise ApiError(
                "DependencyException",
                f"(#132000) Number of parameters does not match the expected number of params: {name}",
            )
        return _POSITIONAL.sub(lambda m: positional[int(m.group(1)) - 1], text), name, dict(enumerate(positional, 1))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ events

    def _event(self, value: dict[str, Any], message_id: str, now: datetime) -> dict[str, Any]:
        key, phone = next(iter(self.phone_number_ids.items()))
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": _digits(phone["display"]), "phone_number_id": phone["meta"]},
            **value,
        }
        entry = {"id": self.meta_waba_id, "changes": [{"value": value, "field": "messages"}]}
        return {
            "context": {
                "MetaWabaIds": [{"wabaId": self.meta_waba_id, "arn": self._arn("waba", self.waba_id)}],
                "MetaPhoneNumberIds": [{"metaPhoneNumberId": phone["meta"], "arn": self._arn("phone-number-id", key)}],
            },
            "whatsAppWebhookEntry": json.dumps(entry),
            "aws_account_id": self.account_id,
            "message_timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
            "messageId": message_id,
        }

    def status_event(self, sent: SentWhatsApp, status: str, now: datetime) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": sent.wamid,
            "status": status,
            "timestamp": _stamp(now),
            "recipient_id": _digits(sent.to),
        }
        if status in ("sent", "delivered", "read") and sent.template:
            entry["pricing"] = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
        if status == "failed":
            entry["errors"] = [
                sent.failure
                or {
                    "code": 131026,
                    "title": "Message undeliverable",
                    "message": "Message undeliverable",
                    "error_data": {"details": "Message undeliverable."},
                }
            ]
        return self._event({"statuses": [entry]}, sent.message_id, now)

    def _topics(self) -> list[str]:
        return [
            d["eventDestinationArn"] for d in self.event_destinations if ":sns:" in d.get("eventDestinationArn", "")
        ]

    def find(self, message_id: str) -> SentWhatsApp | None:
        with self._lock:
            return next((m for m in self.sent if message_id in (m.message_id, m.wamid)), None)

    def publish_status(self, message_id: str, status: str) -> None:
        sent = self.find(message_id)
        if sent is None:
            raise LookupError(f"no WhatsApp message with messageId {message_id} was sent")
        if status not in STATUSES:
            raise ValueError(f"a WhatsApp status is one of {', '.join(STATUSES)}")
        now = self._now()
        for topic in self._topics():
            self._publish(topic, self.status_event(sent, status, now))

    def publish_due(self) -> None:
        """``sent`` then ``delivered`` (or ``failed``, Meta's error with it) for each new message."""
        with self._lock:
            due = [m for m in self.sent if m.events_due]
            for sent in due:
                sent.events_due = False
        for sent in due:
            self.publish_status(sent.message_id, "sent")
            self.publish_status(sent.message_id, "failed" if sent.failure else "delivered")

    def inbound(self, sender: str, body: str, name: str = "") -> None:
        """A WhatsApp message from ``sender`` to the business, relayed as AWS relays Meta's webhook."""
        if not self.phone_number_ids:
            raise RuntimeError("no WhatsApp phone number id is linked (the template's WhatsAppPhoneNumberId)")
        now = self._now()
        with self._lock:
            self.last_inbound["+" + _digits(sender)] = now
            self._store.put(f"inbound/+{_digits(sender)}", {"at": now.isoformat()})
        value = {
            "contacts": [{"profile": {"name": name}, "wa_id": _digits(sender)}],
            "messages": [
                {
                    "from": _digits(sender),
                    "id": "wamid." + uuid.uuid4().hex.upper(),
                    "timestamp": _stamp(now),
                    "type": "text",
                    "text": {"body": body},
                }
            ],
        }
        event = self._event(value, str(uuid.uuid4()), now)
        topics = self._topics()
        if not topics:
            raise RuntimeError("the WhatsApp Business Account has no event destination")
        for topic in topics:
            self._publish(topic, event)

    def outbox(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "id": m.message_id,
                    "channel": "whatsapp",
                    "to": m.to,
                    "body": m.body,
                    **({"template": m.template} if m.template else {}),
                }
                for m in self.sent
            ]
