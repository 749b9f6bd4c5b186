"""The local controls of a running stack (docs: CONTRACT.md "Local stack controls"): the virtual
clock moved, with every schedule due on the way delivered and the queues drained; SES delivery,
bounce and complaint events; inbound SMS, WhatsApp and email; text and WhatsApp status events;
the outbox. What each control causes runs in the stack's functions, as AWS would run it.
"""

from __future__ import annotations

import sys
import threading
import traceback
import uuid
from datetime import UTC
from typing import TYPE_CHECKING, Any

from . import eum_sms, mail, outbox, ses_events, topics

if TYPE_CHECKING:
    from datetime import datetime

    from .clock import VirtualClock
    from .eum_sms import SmsVoiceEmulator
    from .eum_social import SocialMessagingEmulator
    from .provision import Aws
    from .queues import QueueDrainer
    from .runtime import Function
    from .scheduler import SchedulerEmulator
    from .template import Template

MAX_DELIVERY_PASSES = 20


class StackControls:
    """The controls over one stack's emulated AWS (its endpoint, emulators and functions)."""

    def __init__(
        self,
        aws: Aws,
        template: Template,
        clock: VirtualClock,
        scheduler: SchedulerEmulator,
        drainer: QueueDrainer,
        emulators: tuple[SmsVoiceEmulator, SocialMessagingEmulator],
        mail_events: ses_events.SesEvents,
        topic_subscribers: dict[str, list[Function]],
        account_id: str,
    ) -> None:
        self.aws = aws
        self.template = template
        self.clock = clock
        self.scheduler = scheduler
        self.drainer = drainer
        self.sms_voice, self.social = emulators
        self.ses_events = mail_events
        self.topic_subscribers = topic_subscribers
        self.account_id = account_id
        self._control_lock = threading.Lock()
        self._delivery_lock = threading.RLock()

    def publish_event(self, topic: str, message: dict[str, Any]) -> None:
        """An End User Messaging event to its SNS topic, and to the functions subscribed to it."""
        topics.publish_and_deliver(self.aws, topic, self.topic_subscribers.get(topic, []), message, self.clock.now())

    def set_clock(self, now: datetime, *, deliver_twice: bool = False) -> dict[str, Any]:
        """Move the virtual clock to ``now`` as if the time between had passed.

        Forward, it stands in turn at each moment a schedule falls due on the way (the earliest
        first, those that deliveries create included), delivers what is due then and drains the
        queues with the clock there, then stands at ``now`` and delivers what is due at it. A move
        backwards only sets the clock (and delivers what is due at it, which is what ``{}`` does).
        """
        with self._control_lock:
            start = self.clock.now()
            target = now.astimezone(UTC)
            attempted: set[tuple[str, str]] = set()
            seen: set[str] = set()
            to_release: list[tuple[str, str]] = []
            fired: list[dict[str, str]] = []
            try:
                while target > start:
                    due = self.scheduler.next_due(target, attempted)
                    if due is None:
                        break
                    self.clock.set(max(due, start))
                    fired.extend(self._deliver_due(deliver_twice, attempted, seen, to_release))
                self.clock.set(target)
                fired.extend(self._deliver_due(deliver_twice, attempted, seen, to_release))
            finally:
                self.drainer.release(to_release)
                self.scheduler.end_call(self.clock.now())
                self._notify_deliveries()
            return {"now": now.isoformat(), "fired": fired}

    def _deliver_due(
        self,
        deliver_twice: bool,
        attempted: set[tuple[str, str]],
        seen: set[str],
        to_release: list[tuple[str, str]],
    ) -> list[dict[str, str]]:
        """Everything due at the clock's moment, and all it causes (queues drained, SES events)."""
        instant = self.clock.now()
        fired: list[dict[str, str]] = []
        for _ in range(MAX_DELIVERY_PASSES):
            pass_fired = self.scheduler.deliver(instant, deliver_twice, attempted)
            delivered = self.drainer.drain(seen, to_release, deliver_twice)
            fired.extend(pass_fired)
            if not pass_fired and not delivered:
                break
        self._notify_deliveries()
        return fired

    def outbox(self) -> list[dict[str, Any]]:
        table, index = self.send_record_table()
        return outbox.build_outbox(self.aws, table, index, self.sms_voice.outbox() + self.social.outbox())

    def send_record_table(self) -> tuple[str | None, str]:
        """The table (and index) holding send records: the one with a GSI1 index."""
        first = None
        for logical_id in self.template.of_type("AWS::DynamoDB::Table"):
            name = str(self.template.ref(logical_id))
            first = first or name
            indexes = self.template.properties(logical_id).get("GlobalSecondaryIndexes") or []
            if any(i.get("IndexName") == "GSI1" for i in indexes):
                return name, "GSI1"
        return first, "GSI1"

    def ses_topics(self, kind: str) -> list[str]:
        """The topics the template's configuration sets publish SES events of this kind to."""
        targets = []
        for logical_id in self.template.of_type("AWS::SES::ConfigurationSetEventDestination"):
            destination = self.template.resolve(self.template.properties(logical_id)["EventDestination"])
            if kind in destination.get("MatchingEventTypes", []) and "SnsDestination" in destination:
                targets.append(str(destination["SnsDestination"]["TopicARN"]))
        return targets

    def publish_ses_event(self, topics_: list[str], message: dict[str, Any]) -> None:
        for topic in topics_:
            topics.publish_and_deliver(
                self.aws, topic, self.topic_subscribers.get(topic, []), message, self.clock.now()
            )

    def notify_deliveries(self) -> None:
        """The Delivery event of every email sent since the last call, as SES publishes it.

        Under a lock of its own, not the controls' one: a function a clock move runs may call
        the stack's HTTP routes back (Graph validating a subscription), and each route ends here."""
        try:
            self._notify_deliveries()
        except Exception:
            print("[local-stack] reading the SES sends for their Delivery events failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)

    def _notify_deliveries(self) -> None:
        with self._delivery_lock:
            self._publish_deliveries()

    def _publish_deliveries(self) -> None:
        for emulator in (self.sms_voice, self.social):
            try:
                emulator.publish_due()
            except Exception:
                # SNS invokes asynchronously: a failing subscriber never fails the sender.
                print(f"[local-stack] {type(emulator).__name__} status events failed:", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)
        sent = self.ses_events.undelivered()
        targets = self.ses_topics("delivery") if sent else []
        for email in sent if targets else []:
            try:
                self.publish_ses_event(targets, ses_events.notification("delivery", email, self.clock.now()))
            except Exception:
                # SNS invokes asynchronously: a failing subscriber never fails the sender.
                print(f"[local-stack] Delivery event for {email.message_id} failed:", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)

    def email_event(self, kind: str, address: str | None, message_id: str | None = None) -> str:
        """A bounce or complaint for one email (by SES MessageId, else the address's latest),
        published as SES publishes it to each configuration set's topic; returns the MessageId."""
        targets = self.ses_topics(kind)
        if not targets:
            raise RuntimeError(f"no configuration set in the template sends {kind} events to a topic")
        with self._control_lock:
            self._notify_deliveries()  # SES delivers before anything bounces back
            email = self.ses_events.find(message_id, address)
            if email is None and message_id:
                raise LookupError(f"no email with SES MessageId {message_id} was sent")
            if email is None:  # never emailed by the stack: the address alone, as before
                email = ses_events.SentEmail(str(uuid.uuid4()), (str(address),), "nudges@example.com")
            recipient = address if address and address.lower() in (a.lower() for a in email.to) else None
            self.publish_ses_event(targets, ses_events.notification(kind, email, self.clock.now(), recipient))
            return email.message_id

    def inbound_sms(self, sender: str, body: str) -> None:
        if not self.topic_subscribers:
            raise RuntimeError("no topic in the template has an SNS-subscribed function")
        preferred = None
        if "InboundSmsTopic" in self.template.resources:
            preferred = str(self.template.ref("InboundSmsTopic"))
        topic = preferred if preferred in self.topic_subscribers else next(iter(self.topic_subscribers))
        with self._control_lock:
            # End User Messaging SMS sees the text first (an opt-out keyword puts the number on
            # its opt-out list), then publishes it to the number's two-way topic.
            number, two_way = self.sms_voice.inbound(sender, body)
            topic = two_way if two_way in self.topic_subscribers else topic
            message = topics.two_way_sms(sender, body, self.account_id, number)
            topics.publish_and_deliver(self.aws, topic, self.topic_subscribers[topic], message, self.clock.now())
            self._notify_deliveries()

    def inbound_whatsapp(self, sender: str, body: str) -> None:
        """A WhatsApp message to the operator's number, relayed to the WABA's event destination."""
        with self._control_lock:
            self.social.inbound(sender, body)
            self._notify_deliveries()

    def message_status(self, channel: str, message_id: str, status: str) -> None:
        """A status event for one text or WhatsApp message, as its event destination gets it
        (LookupError: no such message; ValueError: no such status on that channel)."""
        with self._control_lock:
            self._notify_deliveries()  # what was sent is delivered before anything else happens to it
            if channel == "sms":
                if status not in eum_sms.STATUS_EVENTS:
                    raise ValueError(f"an SMS status is one of {', '.join(eum_sms.STATUS_EVENTS)}")
                self.sms_voice.publish_status(message_id, eum_sms.STATUS_EVENTS[status])
            elif channel == "whatsapp":
                self.social.publish_status(message_id, status)
            else:
                raise ValueError("channel must be sms or whatsapp")
            self._notify_deliveries()

    def inbound_email(self, raw: bytes, recipients: list[str] | None = None) -> dict[str, Any]:
        """Receive a raw MIME message as SES would: the first receipt rule that accepts a recipient
        stores it in its bucket and notifies its topic, whose functions get the notification."""
        recipients = recipients or mail.recipients_of(raw)
        for rule in mail.s3_rules(self.template):
            accepted = [r for r in recipients if rule.accepts(r)]
            if not accepted:
                continue
            message_id = mail.new_message_id()
            with self._control_lock:
                self.aws.client("s3").put_object(Bucket=rule.bucket, Key=rule.prefix + message_id, Body=raw)
                if rule.topic_arn:
                    notification = mail.received_notification(
                        raw, rule, accepted, message_id, self.clock.now(), self.account_id, self.aws.region
                    )
                    subscribers = self.topic_subscribers.get(rule.topic_arn, [])
                    topics.publish_and_deliver(self.aws, rule.topic_arn, subscribers, notification, self.clock.now())
                self._notify_deliveries()
            return {"rule": rule.name, "recipients": accepted, "object_key": rule.prefix + message_id}
        raise LookupError(f"no receipt rule accepts {', '.join(recipients) or 'a message without recipients'}")
