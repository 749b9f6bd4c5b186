"""AWS End User Messaging SMS (``pinpoint-sms-voice-v2``), served at ``/_aws/sms-voice``.

moto lacks the service, so the stack plays it: the operations the functions call, each request
checked against botocore's model (``aws_api``). What it holds:

- configuration sets and their event destinations, created by the stack from the template's
  ``AWS::SMSVOICE::ConfigurationSet`` resources (``provision``, through the same validated
  operations an SDK call takes);
- origination identities: the phone number the template's ``SmsOriginationIdentity``
  Parameter names (the stack registers it: a deployed stack's number is bought and registered
  in the console, out of CloudFormation's reach), with the default opt-out list;
- the opt-out list: a recipient who texts STOP, or any of AWS's default opt-out keywords, is
  put on it (as AWS does for a number whose opt-outs it manages), and a text to a number on it
  fails with ``ConflictException`` (``DESTINATION_PHONE_NUMBER_OPTED_OUT``);
- every text sent, for ``GET /_local/outbox``.

Status events: each text sent through a configuration set gets the ``TEXT_DELIVERED`` event,
published (once the request that sent it has ended, as SES's Delivery is) to every SNS event
destination whose ``MatchingEventTypes`` take it, as the JSON End User Messaging SMS writes;
``POST /_local/message-status`` publishes any other status for a given ``MessageId``.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .aws_api import ApiError, EndpointStore, JsonApi

if TYPE_CHECKING:
    from collections.abc import Callable

    from .apigw import HttpResponse

PATH = "/_aws/sms-voice"
SERVICE = "pinpoint-sms-voice-v2"
DEFAULT_OPT_OUT_LIST = "Default"
# AWS End User Messaging SMS's default opt-out keywords (a number texting one is opted out).
OPT_OUT_KEYWORDS = ("ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "STOPALL", "UNSUBSCRIBE")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# The status a local control asks for -> the event End User Messaging SMS publishes for it.
STATUS_EVENTS = {"delivered": "TEXT_DELIVERED", "failed": "TEXT_UNREACHABLE"}
_DESCRIPTIONS = {
    "TEXT_DELIVERED": "Message has been accepted by phone",
    "TEXT_SUCCESSFUL": "Message has been accepted by phone carrier",
    "TEXT_UNREACHABLE": "Destination phone is unreachable",
    "TEXT_CARRIER_UNREACHABLE": "The carrier could not deliver the message",
    "TEXT_BLOCKED": "Destination phone number blocked the message",
    "TEXT_CARRIER_BLOCKED": "The carrier blocked the message",
    "TEXT_INVALID": "Invalid destination phone number",
    "TEXT_SPAM": "The carrier flagged the message as spam",
    "TEXT_TTL_EXPIRED": "The message was not delivered before its time to live",
    "TEXT_UNKNOWN": "No final status from the carrier",
}


@dataclass
class SentText:
    message_id: str
    to: str
    body: str
    origination: str
    configuration_set: str | None
    sent_at: datetime
    message_type: str
    context: dict[str, str]
    delivered_event_due: bool = True


@dataclass
class _ConfigurationSet:
    name: str
    arn: str
    created: datetime
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Identity:
    identity_id: str
    arn: str
    number: str
    opt_out_list: str = DEFAULT_OPT_OUT_LIST
    two_way_topic: str | None = None


def _segments(body: str) -> tuple[str, int]:
    """(encoding, message parts) as a carrier counts them."""
    gsm = all(ord(c) < 128 for c in body)
    single, multi = (160, 153) if gsm else (70, 67)
    parts = 1 if len(body) <= single else -(-len(body) // multi)
    return ("GSM" if gsm else "UCS2"), parts


class SmsVoiceEmulator:
    def __init__(
        self,
        region: str,
        account_id: str,
        now: Callable[[], datetime],
        publish: Callable[[str, dict[str, Any]], None],
        store: EndpointStore | None = None,
    ) -> None:
        self.api = JsonApi(SERVICE)
        self.region = region
        self.account_id = account_id
        self._now = now
        self._publish = publish  # (topic ARN, message) -> the SNS topic's subscribers get it
        self._lock = threading.RLock()
        self.configuration_sets: dict[str, _ConfigurationSet] = {}
        self.identities: dict[str, _Identity] = {}
        self.opt_outs: dict[str, dict[str, datetime]] = {DEFAULT_OPT_OUT_LIST: {}}
        self.sent: list[SentText] = []
        # The texts and opt-outs live in the AWS endpoint (a restart carries on): a text sent
        # before the restart had its events then, and gets none again.
        self._store = store or EndpointStore(None, "", "")
        for _key, record in self._store.load("sent"):
            record["sent_at"] = datetime.fromisoformat(record["sent_at"])
            self.sent.append(SentText(**{**record, "delivered_event_due": False}))
        for key, record in self._store.load("opt-outs"):
            listed, _, number = key.partition("/")
            self.opt_outs.setdefault(listed, {})[number] = datetime.fromisoformat(record["at"])

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sms-voice:{self.region}:{self.account_id}:{kind}/{name}"

    # ------------------------------------------------------------------ HTTP

    def handle(self, headers: dict[str, str], body: bytes) -> HttpResponse:
        try:
            operation, params = self.api.read(headers, body)
            return self.api.answer(operation, self._call(operation.name, params))
        except ApiError as error:
            return self.api.error(error)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """An operation called in-process (the stack's provisioning), validated as a request is."""
        from .aws_api import validate

        validate(self.api.model.operation_model(operation), params)
        return self._call(operation, params)

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self, f"_op_{operation}", None)
        if method is None:
            raise ApiError("ValidationException", f"{operation} is not served locally", Reason="UNKNOWN_OPERATION")
        with self._lock:
            return method(**params)

    # ------------------------------------------------------------------ set-up (the stack's)

    def register_origination_identity(self, identity: str, two_way_topic: str | None = None) -> None:
        """The phone number the template's Parameter names: its id, ARN or the number itself."""
        number = identity if E164.fullmatch(identity) else "+15555550100"
        identity_id = (
            identity.rsplit("/", 1)[-1]
            if not E164.fullmatch(identity)
            else f"phone-{uuid.uuid5(uuid.NAMESPACE_URL, identity).hex}"
        )
        with self._lock:
            self.identities[identity] = _Identity(
                identity_id, self._arn("phone-number", identity_id), number, two_way_topic=two_way_topic
            )

    def _identity(self, name: str | None) -> _Identity:
        if name is None:
            if len(self.identities) == 1:
                return next(iter(self.identities.values()))
            raise ApiError(
                "ConflictException",
                "no origination identity given",
                Reason="NO_ORIGINATION_IDENTITIES_FOUND",
                ResourceType="phone-number",
                ResourceId="",
            )
        for key, identity in self.identities.items():
            if name in (key, identity.identity_id, identity.arn, identity.number):
                return identity
        raise ApiError(
            "ResourceNotFoundException",
            f"origination identity {name} not found",
            ResourceType="phone-number",
            ResourceId=name,
        )

    def _configuration_set(self, name: str) -> _ConfigurationSet:
        for found in self.configuration_sets.values():
            if name in (found.name, found.arn):
                return found
        raise ApiError(
            "ResourceNotFoundException",
            f"configuration set {name} not found",
            ResourceType="configuration-set",
            ResourceId=name,
        )

    # ------------------------------------------------------------------ operations

    def _op_CreateConfigurationSet(
        self, ConfigurationSetName: str, Tags: Any = None, ClientToken: Any = None
    ) -> dict[str, Any]:
        if ConfigurationSetName in self.configuration_sets:
            raise ApiError(
                "ConflictException",
                f"configuration set {ConfigurationSetName} exists",
                Reason="RESOURCE_ALREADY_EXISTS",
                ResourceType="configuration-set",
                ResourceId=ConfigurationSetName,
            )
        found = _ConfigurationSet(
            ConfigurationSetName, self._arn("configuration-set", ConfigurationSetName), self._now()
        )
        self.configuration_sets[ConfigurationSetName] = found
        return {
            "ConfigurationSetArn": found.arn,
            "ConfigurationSetName": found.name,
            "Tags": Tags or [],
            "CreatedTimestamp": found.created,
        }

    def _op_DescribeConfigurationSets(self, ConfigurationSetNames: list[str] | None = None, **_: Any) -> dict[str, Any]:
        chosen = (
            [self._configuration_set(n) for n in ConfigurationSetNames]
            if ConfigurationSetNames
            else list(self.configuration_sets.values())
        )
        return {
            "ConfigurationSets": [
                {
                    "ConfigurationSetArn": c.arn,
                    "ConfigurationSetName": c.name,
                    "EventDestinations": list(c.destinations.values()),
                    "CreatedTimestamp": c.created,
                }
                for c in chosen
            ]
        }

    def _op_CreateEventDestination(
        self,
        ConfigurationSetName: str,
        EventDestinationName: str,
        MatchingEventTypes: list[str],
        SnsDestination: dict[str, str] | None = None,
        ClientToken: Any = None,
        **others: Any,
    ) -> dict[str, Any]:
        found = self._configuration_set(ConfigurationSetName)
        if EventDestinationName in found.destinations:
            raise ApiError(
                "ConflictException",
                f"event destination {EventDestinationName} exists",
                Reason="RESOURCE_ALREADY_EXISTS",
                ResourceType="event-destination",
                ResourceId=EventDestinationName,
            )
        destination: dict[str, Any] = {
            "EventDestinationName": EventDestinationName,
            "Enabled": True,
            "MatchingEventTypes": list(MatchingEventTypes),
        }
        if SnsDestination:
            destination["SnsDestination"] = dict(SnsDestination)
        destination.update({k: v for k, v in others.items() if v is not None})
        found.destinations[EventDestinationName] = destination
        return {"ConfigurationSetArn": found.arn, "ConfigurationSetName": found.name, "EventDestination": destination}

    def _op_SendTextMessage(
        self,
        DestinationPhoneNumber: str,
        OriginationIdentity: str | None = None,
        MessageBody: str | None = None,
        MessageType: str = "TRANSACTIONAL",
        ConfigurationSetName: str | None = None,
        Context: dict[str, str] | None = None,
        DryRun: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        if not E164.fullmatch(DestinationPhoneNumber):
            raise ApiError(
                "ValidationException", "DestinationPhoneNumber: not an E.164 phone number", Reason="INVALID_PARAMETER"
            )
        identity = self._identity(OriginationIdentity)
        configuration = self._configuration_set(ConfigurationSetName) if ConfigurationSetName else None
        if DestinationPhoneNumber in self.opt_outs.get(identity.opt_out_list, {}):
            raise ApiError(
                "ConflictException",
                "the destination phone number is opted out",
                Reason="DESTINATION_PHONE_NUMBER_OPTED_OUT",
                ResourceType="opted-out-number",
                ResourceId=DestinationPhoneNumber,
            )
        if not MessageBody:
            raise ApiError("ValidationException", "MessageBody is required for a text", Reason="MISSING_PARAMETER")
        message_id = str(uuid.uuid4())
        if not DryRun:
            self._record(
                SentText(
                    message_id,
                    DestinationPhoneNumber,
                    MessageBody,
                    identity.number,
                    configuration.name if configuration else None,
                    self._now(),
                    MessageType,
                    dict(Context or {}),
                    delivered_event_due=configuration is not None,
                )
            )
        return {"MessageId": message_id}

    def _record(self, text: SentText) -> None:
        self.sent.append(text)
        self._store.put(f"sent/{time.time_ns():020d}-{text.message_id}", {**asdict(text), "delivered_event_due": False})

    def _opt_out(self, listed: str, number: str, at: datetime | None) -> None:
        """Put on (``at``) or take off (None) an opt-out list, here and in the endpoint."""
        if at is None:
            self.opt_outs.setdefault(listed, {}).pop(number, None)
            self._store.delete(f"opt-outs/{listed}/{number}")
        else:
            self.opt_outs.setdefault(listed, {})[number] = at
            self._store.put(f"opt-outs/{listed}/{number}", {"at": at.isoformat()})

    def _op_DescribeOptedOutNumbers(
        self, OptOutListName: str, OptedOutNumbers: list[str] | None = None, **_: Any
    ) -> dict[str, Any]:
        listed = self._opt_out_list(OptOutListName)
        wanted = OptedOutNumbers if OptedOutNumbers is not None else list(listed)
        return {
            "OptOutListArn": self._arn("opt-out-list", OptOutListName),
            "OptOutListName": OptOutListName,
            "OptedOutNumbers": [
                {"OptedOutNumber": n, "OptedOutTimestamp": listed[n], "EndUserOptedOut": True}
                for n in wanted
                if n in listed
            ],
        }

    def _op_PutOptedOutNumber(self, OptOutListName: str, OptedOutNumber: str) -> dict[str, Any]:
        listed = self._opt_out_list(OptOutListName)
        if OptedOutNumber not in listed:
            self._opt_out(OptOutListName, OptedOutNumber, self._now())
        return self._opted_out_answer(OptOutListName, OptedOutNumber, listed[OptedOutNumber], end_user=False)

    def _op_DeleteOptedOutNumber(self, OptOutListName: str, OptedOutNumber: str) -> dict[str, Any]:
        listed = self._opt_out_list(OptOutListName)
        if OptedOutNumber not in listed:
            raise ApiError(
                "ResourceNotFoundException",
                f"{OptedOutNumber} is not opted out",
                ResourceType="opted-out-number",
                ResourceId=OptedOutNumber,
            )
        when = listed[OptedOutNumber]
        self._opt_out(OptOutListName, OptedOutNumber, None)
        return self._opted_out_answer(OptOutListName, OptedOutNumber, when, end_user=True)

    def _opt_out_list(self, name: str) -> dict[str, datetime]:
        if name not in self.opt_outs:
            raise ApiError(
                "ResourceNotFoundException",
                f"opt-out list {name} not found",
                ResourceType="opt-out-list",
                ResourceId=name,
            )
        return self.opt_outs[name]

    def _opted_out_answer(self, name: str, number: str, when: datetime, *, end_user: bool) -> dict[str, Any]:
        return {
            "OptOutListArn": self._arn("opt-out-list", name),
            "OptOutListName": name,
            "OptedOutNumber": number,
            "OptedOutTimestamp": when,
            "EndUserOptedOut": end_user,
        }

    # ------------------------------------------------------------------ the recipient's side

    def inbound(self, sender: str, body: str) -> tuple[str, str | None]:
        """A text from ``sender``: an opt-out keyword puts the number on the opt-out list, as AWS
        does. Returns (the number it was sent to, the two-way SNS topic it is published to)."""
        with self._lock:
            identity = next(iter(self.identities.values()), None)
            words = body.strip().split()
            keyword = words[0].strip(".!,").upper() if words else ""
            if (
                identity is not None
                and keyword in OPT_OUT_KEYWORDS
                and sender not in self.opt_outs.get(identity.opt_out_list, {})
            ):
                self._opt_out(identity.opt_out_list, sender, self._now())
            return (identity.number if identity else "+15555550100"), (identity.two_way_topic if identity else None)

    # ------------------------------------------------------------------ status events

    def find(self, message_id: str) -> SentText | None:
        with self._lock:
            return next((t for t in self.sent if t.message_id == message_id), None)

    def event(self, text: SentText, event_type: str, now: datetime) -> dict[str, Any]:
        """The JSON End User Messaging SMS publishes for one text's status."""
        encoding, parts = _segments(text.body)
        final = event_type not in ("TEXT_PENDING", "TEXT_QUEUED", "TEXT_SENT", "TEXT_SUCCESSFUL")
        return {
            "eventType": event_type,
            "eventVersion": "1.0",
            "eventTimestamp": int(now.timestamp() * 1000),
            "isFinal": final,
            "originationPhoneNumber": text.origination,
            "destinationPhoneNumber": text.to,
            "isInternationalSend": False,
            "isoCountryCode": "GB" if text.to.startswith("+44") else "US",
            "messageId": text.message_id,
            "messageRequestTimestamp": int(text.sent_at.timestamp() * 1000),
            "messageEncoding": encoding,
            "messageType": text.message_type,
            "messageStatus": event_type.removeprefix("TEXT_"),
            "messageStatusDescription": _DESCRIPTIONS.get(event_type, event_type),
            "context": text.context,
            "totalMessageParts": parts,
            "totalMessagePrice": round(0.00581 * parts, 5),
            "totalCarrierFee": round(0.00302 * parts, 5),
        }

    def _destinations(self, text: SentText, event_type: str) -> list[str]:
        found = self.configuration_sets.get(text.configuration_set or "")
        topics = []
        for destination in found.destinations.values() if found else []:
            types = destination.get("MatchingEventTypes") or []
            wanted = event_type in types or "TEXT_ALL" in types or "ALL" in types
            if destination.get("Enabled", True) and wanted and destination.get("SnsDestination"):
                topics.append(destination["SnsDestination"]["TopicArn"])
        return topics

    def publish_status(self, message_id: str, event_type: str) -> None:
        """Publish ``event_type`` for the text with this MessageId (LookupError: no such text)."""
        text = self.find(message_id)
        if text is None:
            raise LookupError(f"no text with MessageId {message_id} was sent")
        now = self._now()
        for topic in self._destinations(text, event_type):
            self._publish(topic, self.event(text, event_type, now))

    def publish_due(self) -> None:
        """The ``TEXT_DELIVERED`` event of every text sent since the last call."""
        with self._lock:
            due = [t for t in self.sent if t.delivered_event_due]
            for text in due:
                text.delivered_event_due = False
        for text in due:
            self.publish_status(text.message_id, "TEXT_DELIVERED")

    def outbox(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"id": t.message_id, "channel": "sms", "to": t.to, "body": t.body} for t in self.sent]
