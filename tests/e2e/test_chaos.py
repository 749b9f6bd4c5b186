"""The whole story for many candidates while the AWS endpoint fails and loses answers.

The functions reach the AWS endpoint through ``local_stack.faults.FaultProxy``: a stated share
of their calls fails before it arrives (503) and a stated share of the answers is lost after
the call took effect (connection dropped, or a 500), except the answers of SES and SNS sends.
Webhooks and operator calls are retried on 5xx as providers retry them. At the end every
expected (interview, kind, channel) is in the outbox exactly once.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local_stack import LocalStack
from local_stack.client import LocalClient, Reply, calcom_booking
from local_stack.faults import FaultProxy

ROOT = Path(__file__).resolve().parents[2]


# About a minute and a half (botocore's backoff after each injected fault): `make chaos` runs it.
pytestmark = pytest.mark.skipif(os.environ.get("NUDGES_CHAOS") != "1", reason="the fault run: make chaos")

CANDIDATES = int(os.environ.get("CHAOS_CANDIDATES", "20"))
FAIL_RATE = float(os.environ.get("CHAOS_FAIL_RATE", "0.10"))
DROP_RATE = float(os.environ.get("CHAOS_DROP_RATE", "0.10"))
SEED = int(os.environ.get("CHAOS_SEED", "20310303"))
PROVIDER_RETRIES = 8  # Cal.com and the others retry a webhook that answered 5xx
# A failed scheduled or queued delivery is retried at the next clock call: this many per instant.
CLOCK_CALLS = int(os.environ.get("CHAOS_CLOCK_CALLS", "3"))
KINDS = ("research_prompt", "thank_you", "connect")
CHANNELS = ("email", "sms")


class RetryingClient(LocalClient):
    """A client that retries on 5xx, as webhook providers (and a careful operator script) do."""

    retries = 0

    def request(self, method, path, body=None, *, raw=None, headers=None) -> Reply:
        for _attempt in range(PROVIDER_RETRIES):
            reply = super().request(method, path, body, raw=raw, headers=headers)
            if reply.status < 500 or path.startswith("/_local/"):
                return reply
            RetryingClient.retries += 1
        return reply


@pytest.fixture(scope="module")
def chaos():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    upstream = f"http://{host}:{port}"
    proxy = FaultProxy(upstream, fail_rate=FAIL_RATE, drop_rate=DROP_RATE, seed=SEED).start()
    stack = LocalStack(ROOT, endpoint_url=upstream, function_endpoint_url=proxy.url)
    try:
        stack.start()
        stack.runtime.add_log_listener(_count_exhausted)
        for fn in stack.runtime.functions.values():
            # Names the function in its SDK's user agent, so the proxy counts its calls and retries.
            fn.environment["AWS_SDK_UA_APP_ID"] = fn.spec.logical_id
        yield stack, proxy, RetryingClient(stack.base_url)
    finally:
        stack.stop()
        proxy.stop()
        moto.stop()


EXHAUSTED: Counter[str] = Counter()  # per function: AWS errors after botocore gave up retrying


def _count_exhausted(function: str, _stream: str, line: str) -> None:
    if "reached max retries" in line:
        EXHAUSTED[function] += 1


def per_function(stack, proxy) -> str:
    """Each function's invocations, function errors (each one retried by its source), timeouts,
    cold starts, its AWS calls and botocore's retries of them (each execution environment has
    its own retry quota), and log lines where those retries ran out."""
    rows = []
    for fn in sorted(stack.runtime.functions.values(), key=lambda f: f.spec.logical_id):
        lid = fn.spec.logical_id
        if fn.stats["invocations"]:
            rows.append(
                f"  {lid}: {fn.stats['invocations']} invocations, {fn.stats['errors']} errors, "
                f"{fn.stats['timeouts']} timeouts, {fn.stats['cold_starts']} cold starts; "
                f"{proxy.calls_by_caller[lid]} AWS calls, {proxy.retries_by_caller[lid]} SDK retries, "
                f"{EXHAUSTED[fn.name]} lines with 'reached max retries'"
            )
    return "\n".join(rows)


def test_no_nudge_is_lost_and_none_is_sent_twice_under_faults(chaos):
    stack, proxy, client = chaos
    monday = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
    client.set_clock(monday)
    interviews = {}
    for n in range(CANDIDATES):
        email = f"chaos-{n}@example.org"
        reply = client.register(
            email=email, phone=f"+4477009{n:05d}", timezone="Europe/London", channels=list(CHANNELS), name=f"C {n}"
        )
        assert reply.status == 201, reply
        start = datetime(2031, 3, 6, 9 + n % 7, 0, tzinfo=UTC)  # Thursday, 09:00-15:00 London
        body = calcom_booking(
            "BOOKING_CREATED",
            uid=f"chaos-uid-{n}",
            start=start,
            end=start + timedelta(hours=1),
            attendee=(f"C {n}", email),
            organizer=("Jane Doe", f"jane.doe@company-{n % 4}.com"),
            created_at=monday,
        )
        reply = client.calcom(body)
        assert reply.status == 200, reply
        interviews[reply.body["interview_id"]] = reply.body.get("candidate_id") or n

    # Tuesday evening: every research prompt is due; Thursday evening: every thank-you.
    for moment in (datetime(2031, 3, 4, 17, 0, tzinfo=UTC), datetime(2031, 3, 6, 18, 0, tzinfo=UTC)):
        for _ in range(CLOCK_CALLS):
            client.set_clock(moment)
    saturday = datetime(2031, 3, 8, 12, 0, tzinfo=UTC)
    client.set_clock(saturday)
    for interview_id in interviews:
        assert client.outcome(interview_id, "offer").status == 202
    for minute in range(1, CLOCK_CALLS + 1):
        client.set_clock(saturday + timedelta(minutes=minute))

    sent = Counter(
        (m["interview_id"], m["kind"], m["channel"]) for m in client.outbox() if m["interview_id"] in interviews
    )
    expected = {(i, kind, channel) for i in interviews for kind in KINDS for channel in CHANNELS}
    figures = proxy.figures()
    sqs = stack.aws.client("sqs")
    dead_letters = str(stack.template.get_att("NudgeDeadLetterQueue", "QueueUrl"))
    dead = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ]["ApproximateNumberOfMessages"]
    print(
        f"\nchaos: {CANDIDATES} candidates, fail_rate={FAIL_RATE}, drop_rate={DROP_RATE}, seed={SEED}: "
        f"{figures['calls']} AWS calls, {figures['failed_before']} failed before arriving (503), "
        f"{figures['answers_dropped']} answers lost after success, {RetryingClient.retries} webhook/API retries "
        f"after 5xx; nudges expected {len(expected)}, sent {sum(sent.values())}, "
        f"distinct {len(set(sent) & expected)}; {CLOCK_CALLS} clock calls per instant, {dead} in the nudge "
        f"dead-letter queue\n{per_function(stack, proxy)}"
    )
    assert figures["failed_before"] > 0 and figures["answers_dropped"] > 0  # the faults did happen
    missing = expected - set(sent)
    twice = {key: count for key, count in sent.items() if count > 1}
    assert not missing, f"lost: {sorted(missing)[:10]}"
    assert not twice, f"sent more than once: {twice}"
    assert set(sent) == expected
