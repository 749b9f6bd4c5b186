"""Inbound SMS from the two-way SMS topic: STOP and friends opt out, START opts back in, HELP
answers, YES gives consent to texts (kept on each candidate with that number, with its time and
message id). Numbers are remembered only as hashes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nudges import clock, wiring
from nudges.domain.candidate import phone_key
from nudges.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"}
OPT_IN = {"START", "UNSTOP"}
HELP = {"HELP", "INFO"}
YES = {"YES", "Y"}
HELP_REPLY = (
    "Interview Nudges: reminders to research before, thank after, and connect once you get an offer. "
    "Reply STOP to stop texts, START to resume. Emails have their own unsubscribe link."
)


def _sms():
    from nudges.adapters.aws import client
    from nudges.adapters.sms import SmsSender

    return SmsSender(client("sns"))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    store = wiring.store()
    for record in event["Records"]:
        sms = json.loads(record["Sns"]["Message"])
        number, body = sms["originationNumber"], sms.get("messageBody", "")
        keyword = body.strip().split(" ")[0].upper() if body.strip() else ""
        message_id = sms.get("inboundMessageId") or record["Sns"]["MessageId"]
        store.record_inbound_sms(message_id, phone_key(number), body, clock.now())
        if keyword in OPT_OUT:
            store.set_sms_opt_out(phone_key(number), True, clock.now())
        elif keyword in OPT_IN:
            store.set_sms_opt_out(phone_key(number), False, clock.now())
            try:
                _sms().opt_in(number)  # also lift a carrier-level STOP; AWS allows this once in 30 days
            except Exception:
                logger.warning("carrier opt-in refused", extra={"message_id": message_id})
        elif keyword in HELP:
            _sms().send(number, HELP_REPLY)
        elif keyword in YES:
            wiring.sms_consent()(number, message_id, clock.now())
        logger.info("inbound SMS handled", extra={"message_id": message_id, "keyword": keyword[:12]})
