"""Measures what the service costs in time, memory, AWS calls and money, side by side.

Every function comes from template.yaml (each AWS::Serverless::Function, its CodeUri and
Handler); a function with an HttpApi path under /webhooks/ is a webhook. The run:

1. cold first response (the headline): for each function, a fresh process with the function's
   environment imports its handler module, the layer on the path as /opt/python would be, then
   handles the function's ``events/`` sample against a fresh local stack's AWS endpoint; beside
   it, interleaved, a bare handler that imports boto3 and makes one GetItem;
2. the local stack (each function in processes of its own, as Lambda runs it): a load run of
   bookings, interview lifecycles with every AWS call the functions make counted at a proxy in
   front of the AWS endpoint, warm latency per route, the framework's own overhead (a 404
   through ``app.resolve``, in the Lambda interpreter);
3. cost per 1,000 interviews from the counted calls and the published prices below, and the
   same for the usual alternative (a cron function querying due reminders every minute).

``--quick`` runs a tiny version (what ``make test`` checks); ``--out`` picks the report file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "nudges"
sys.path[:0] = [str(ROOT), str(LAYER)]

from local_stack.template import Template, function_specs  # noqa: E402

# --------------------------------------------------------------------------- prices
# us-east-1, on-demand, no free tier applied (the marginal price), read 2026-05 from:
PRICES = {
    "lambda_gb_s_arm64": (0.0000133334, "https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 bn GB-s)"),
    "lambda_request": (0.20 / 1e6, "https://aws.amazon.com/lambda/pricing/"),
    "http_api_request": (1.00 / 1e6, "https://aws.amazon.com/api-gateway/pricing/ (HTTP API, first 300 M)"),
    "scheduler_invocation": (1.00 / 1e6, "https://aws.amazon.com/eventbridge/pricing/ (Scheduler)"),
    "ddb_wru": (0.625 / 1e6, "https://aws.amazon.com/dynamodb/pricing/on-demand/ (since 2024-11-01)"),
    "ddb_rru": (0.125 / 1e6, "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "sqs_request": (0.40 / 1e6, "https://aws.amazon.com/sqs/pricing/ (standard)"),
    "secrets_call": (0.05 / 1e4, "https://aws.amazon.com/secrets-manager/pricing/"),
    "ses_email": (0.10 / 1e3, "https://aws.amazon.com/ses/pricing/"),
    "sms_us": (
        0.00581 + 0.00302,
        "https://aws.amazon.com/end-user-messaging/pricing/ (US, base + carrier fee; varies by country)",
    ),
}
PRICES_READ = "2026-05"
MINUTES_PER_MONTH = 60 * 24 * 30
EVENTS = ROOT / "events"
SAMPLES_SIGNED_AT = datetime(2030, 3, 4, 9, 13, tzinfo=UTC)  # the events/ samples' signed timestamps

# Targets: the cold first response against the bare handler's (issue 12), the framework's own
# overhead, and the AWS calls of one interview's whole lifecycle with its 6 messages (issue 12:
# at most 36, from 52).
COLD_TARGET_HTTP = 1.5  # webhooks and the operator API
COLD_TARGET_OTHER = 1.3  # queue-, topic- and schedule-fed functions
OVERHEAD_TARGET_MS = 0.5
LIFECYCLE_CALL_BUDGET = 40  # issue 20 (issue 12 had asked 36 of its 52)
LIFECYCLE_CALLS_BEFORE = 52

# The sample each function's cold first response handles (events/<dir>-<sample>.json): the
# path a real first request most often takes. The operator's comes first: it registers the
# candidate the booking samples are for.
FIRST_RESPONSE_SAMPLES = {
    "operator_api": "create_candidate",
    "calcom_webhook": "booking_created",
    "calendly_webhook": "invitee_created",
    "ics_webhook": "google_request",
    "ics_email": "ses_received",
    "sender": "scheduled_research_prompt",
    "inbound_sms": "help",
    "unsubscribe": "one_click",
    "email_events": "bounce",
    "calendar_webhook": "google_exists",
    "calendar_sync": "sync_job",
    "greenhouse_webhook": "hire_candidate",
    "lever_webhook": "candidate_stage_change",
    "outcome_webhook": "offer",
    "message_events": "text_delivered",
}

BARE_HANDLER = """import os

import boto3

client = boto3.client("dynamodb")


def lambda_handler(event, context):
    client.get_item(TableName=os.environ["TABLE_NAME"], Key={"PK": {"S": "bench"}, "SK": {"S": "bench"}})
    return {"statusCode": 200}
"""

# Runs in a fresh interpreter, as Lambda's bootstrap would: import the handler module (Init),
# then handle one event (the first invocation), and report both times, the peak resident set
# size after each, and which heavy modules the import alone loaded. The clock is set first, to
# when the events/ samples were signed (a harness step, like the local stack's virtual clock).
CHILD = r"""
import importlib, json, resource, sys, time
code_dir, module, handler, event_path, clock_at = sys.argv[1:]
event = json.load(open(event_path))


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 256
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self):
        return 10000


def peak_kb():
    # VmHWM: this process's own peak (ru_maxrss carries the parent's peak across exec on Linux)
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


t0 = time.perf_counter()
if clock_at:
    from datetime import datetime
    import nudges.clock
    fixed = datetime.fromisoformat(clock_at)
    nudges.clock.set_source(lambda: fixed)
sys.path.insert(0, code_dir)
fn = getattr(importlib.import_module(module), handler)
t1 = time.perf_counter()
rss_init = peak_kb()
heavy = [m for m in ("pydantic", "icalendar", "aws_lambda_powertools.utilities.idempotency",
                     "aws_lambda_powertools.utilities.parser", "boto3", "email_validator") if m in sys.modules]
body = None
try:
    answer = fn(event, Context())
    if isinstance(answer, dict) and "statusCode" in answer:
        status = str(answer["statusCode"])
        body = answer.get("body") if len(str(answer.get("body"))) < 20000 else None
    elif isinstance(answer, dict) and "batchItemFailures" in answer:
        status = f"{len(answer['batchItemFailures'])} failed of {len(event.get('Records', []))}"
    else:
        status = "ok"
except Exception as exc:
    status = f"raised {type(exc).__name__}"
t2 = time.perf_counter()
print(json.dumps({"init_ms": (t1 - t0) * 1000, "first_ms": (t2 - t0) * 1000, "status": status,
                  "rss_init_kb": rss_init, "rss_first_kb": peak_kb(), "heavy": heavy, "body": body}))
"""


# --------------------------------------------------------------------------- discovery


class Fn:
    """One function of the template, as the benchmark sees it."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.logical_id = spec.logical_id
        self.code_dir: Path = spec.code_dir
        self.module: str = spec.module
        self.handler: str = spec.handler
        self.memory_mb: int = spec.memory_mb
        self.paths = [str(p.get("Path") or "") for _, p in spec.events_of_type("HttpApi")]
        sample = FIRST_RESPONSE_SAMPLES.get(self.code_dir.name)
        self.sample: Path | None = EVENTS / f"{self.code_dir.name}-{sample}.json" if sample else None

    @property
    def kind(self) -> str:
        if any(p.startswith("/webhooks/") for p in self.paths):
            return "webhook"
        if self.paths:
            return "api"
        return "async"

    @property
    def target(self) -> float:
        return COLD_TARGET_HTTP if self.kind in ("webhook", "api") else COLD_TARGET_OTHER


def discover(template_path: Path) -> list[Fn]:
    from local_stack.stack import DEFAULT_PARAMETER_OVERRIDES, local_parameter_values  # SenderEmail: no default

    template = Template(
        template_path, parameter_overrides=local_parameter_values(template_path, DEFAULT_PARAMETER_OVERRIDES)
    )
    fns = [Fn(spec) for spec in function_specs(template)]
    # The operator's sample first: it registers the candidate the booking samples are for.
    return sorted(fns, key=lambda fn: fn.code_dir.name != "operator_api")


# --------------------------------------------------------------------------- cold first response


def _child_env(extra: dict[str, str], pycache: Path, *, write_bytecode: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AWS_", "POWERTOOLS_"))}
    env.update(
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.13",
        POWERTOOLS_TRACE_DISABLED="true",
        PYTHONPATH=str(LAYER),  # the layer, where Lambda has /opt/python
        # Lambda runs the bytecode `make build` ships (scripts/bytecode.py): compiled once here,
        # by the warm-up round, into a cache of the bench's own, then only read.
        PYTHONPYCACHEPREFIX=str(pycache),
    )
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def _run_child(code_dir: Path, module: str, handler: str, event: Path, clock_at: str, env: dict[str, str]) -> dict:
    from local_stack.runtime import lambda_python

    # The Lambda interpreter (.venv-lambda): only the layer's requirements and the runtime's boto3.
    out = subprocess.run(
        [str(lambda_python()), "-c", CHILD, str(code_dir), module, handler, str(event), clock_at],
        env=env,
        cwd=code_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold start of {code_dir} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sample_for(fn: Fn, stack: Any, tmp: Path, registered: dict[str, Any]) -> Path:
    """The function's sample, made to fit this stack where it names something only a stack
    has: the inbox samples need the inbox token of the candidate the operator's sample
    registered (``registered``, its answer) and, for mail, the message in this stack's bucket."""
    assert fn.sample is not None
    if fn.code_dir.name not in ("ics_webhook", "ics_email"):
        return fn.sample
    import boto3

    email = registered["email"]
    token = registered["ics_inbox_url"].rsplit("/", 1)[1]
    event = json.loads(fn.sample.read_text().replace("inboxTOKENexample0000000", token))
    if fn.code_dir.name == "ics_email":
        from email.message import EmailMessage

        notification = json.loads(event["Records"][0]["Sns"]["Message"])
        bucket = stack.template.ref("InboxMailBucket")
        notification["receipt"]["action"]["bucketName"] = bucket
        notification["receipt"]["recipients"] = [f"{token}@{stack.template.parameters['InboxDomain']}"]
        event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
        invite = json.loads((EVENTS / "ics_webhook-google_request.json").read_text())["body"].encode()
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = email, f"{token}@inbox", "Fwd: Invitation"
        mail.set_content("Forwarding my interview invite.")
        mail.add_alternative(invite, maintype="text", subtype="calendar", params={"method": "REQUEST"})
        s3 = boto3.client("s3", endpoint_url=stack.endpoint_url, region_name="us-east-1")
        s3.put_object(Bucket=bucket, Key=notification["receipt"]["action"]["objectKey"], Body=bytes(mail))
    path = tmp / fn.sample.name
    path.write_text(json.dumps(event))
    return path


def measure_first_response(fns: list[Fn], runs: int) -> dict[str, Any]:
    """Median cold first response per function (and the bare handler's), each round against a
    fresh local stack (a booking sample books, so a second one in the same stack would be a
    duplicate: another path). Providers' APIs point at a closed port: no sample reaches out."""
    from local_stack import LocalStack

    closed = "http://127.0.0.1:9"
    providers = {
        name: closed for name in ("GOOGLE_API_BASE_URL", "GOOGLE_TOKEN_URL", "GRAPH_API_BASE_URL", "MS_TOKEN_URL")
    }
    providers |= {"LEVER_API_BASE_URL": f"{closed}/lever/v1", "GREENHOUSE_API_BASE_URL": f"{closed}/greenhouse/v1"}
    samples: dict[str, list[dict]] = defaultdict(list)
    clock_at = SAMPLES_SIGNED_AT.isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        bare_dir = Path(tmp) / "bare"
        bare_dir.mkdir()
        (bare_dir / "app.py").write_text(BARE_HANDLER)
        pycache = Path(tmp) / "pycache"
        bare_event = Path(tmp) / "event.json"
        bare_event.write_text("{}")
        # One warm-up round (not for a single run: that is the smoke test's) compiles the bytecode
        # and fills the page cache; the rounds after it are measured.
        rounds = [False] * (1 if runs > 1 else 0) + [True] * runs
        for measured in rounds:
            saved = {name: os.environ.get(name) for name in providers}
            os.environ.update(providers)
            stack = LocalStack(ROOT)
            try:
                stack.start()
                stack.set_clock(SAMPLES_SIGNED_AT)
                table = stack.template.ref("NudgesTable")
                base = {
                    "AWS_ENDPOINT_URL": stack.endpoint_url or "",
                    "TABLE_NAME": table,
                    "AWS_LAMBDA_FUNCTION_NAME": "bare",
                }
                bare_env = _child_env(base, pycache, write_bytecode=not measured)
                result = _run_child(bare_dir, "app", "lambda_handler", bare_event, "", bare_env)
                if measured:
                    samples["bare"].append(result)
                registered: dict[str, Any] = {}
                for fn in fns:  # in order: the operator's sample registers the candidate
                    if fn.sample is None:
                        continue
                    local = stack.runtime.by_logical_id[fn.logical_id]
                    env = _child_env(dict(local.environment), pycache, write_bytecode=not measured)
                    event = _sample_for(fn, stack, Path(tmp), registered)
                    result = _run_child(fn.code_dir, fn.module, fn.handler, event, clock_at, env)
                    if fn.code_dir.name == "operator_api":
                        registered = json.loads(result["body"] or "{}")
                    if measured:
                        samples[fn.logical_id].append(result)
            finally:
                # moto keeps its state in this process across servers: forget it, so the next
                # round's samples meet an empty stack again (not a duplicate delivery).
                if stack.endpoint_url:
                    reset = urllib.request.Request(f"{stack.endpoint_url}/moto-api/reset", method="POST")
                    urllib.request.urlopen(reset, timeout=30).close()
                stack.stop()
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
    result = {}
    for name, runs_ in samples.items():
        result[name] = {
            "init_ms": statistics.median(r["init_ms"] for r in runs_),
            "first_ms": statistics.median(r["first_ms"] for r in runs_),
            "rss_init_mb": statistics.median(r["rss_init_kb"] for r in runs_) / 1024,
            "rss_first_mb": statistics.median(r["rss_first_kb"] for r in runs_) / 1024,
            "heavy": runs_[-1]["heavy"],
            "status": sorted({r["status"] for r in runs_}),
            "runs": len(runs_),
        }
    return result


# --------------------------------------------------------------------------- call counting


SWEEP = "calendar_sweep"
SWEEP_FUNCTIONS = {"CalendarSyncFunction"}
_APP_ID = re.compile(r"(?:^| )app/(\S+)")


class CallCounter:
    """Counts every AWS call the functions make, by phase and operation.

    Told of each call by the proxy the functions reach AWS through (``FaultProxy`` with no
    faults), whatever process made it. DynamoDB request units are estimated from item sizes
    (1 KB per write unit, 4 KB per read unit, half for eventually consistent reads, double
    inside transactions, one more write unit per GSI the item is in).
    """

    def __init__(self) -> None:
        self.phase = "setup"
        self.calls: dict[str, Counter[str]] = defaultdict(Counter)
        self.wru: Counter[str] = Counter()
        self.rru: Counter[str] = Counter()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.listeners: list[Any] = []  # told each call's name too (the services a first request reaches)
        self.details: dict[str, list[str]] = defaultdict(list)  # what each call touched (``--calls``)
        self._lock = threading.Lock()

    def observe(self, call: Any) -> None:
        op = call.name
        caller = _APP_ID.search(call.headers.get("User-Agent") or "")
        # The calendar-watch renewal sweep runs every 6 hours whatever the number of interviews:
        # its calls are the table's, not an interview's (counted apart, per run).
        phase = SWEEP if caller and caller.group(1) in SWEEP_FUNCTIONS else self.phase
        with self._lock:
            self.calls[phase][op] += 1
            self.latency[op].append(call.seconds * 1000)
            if op.startswith("dynamodb:") and call.status < 400:
                request = json.loads(call.body) if call.body else {}
                parsed = json.loads(call.response) if call.response else {}
                wru, rru = _capacity(op.split(":", 1)[1], request, parsed)
                self.wru[phase] += wru
                self.rru[phase] += rru
                self.details[phase].append(f"{op} {_touched(request)}")
            else:
                self.details[phase].append(op)
        for listener in self.listeners:
            listener(op)

    def total(self, phases: list[str]) -> Counter[str]:
        out: Counter[str] = Counter()
        for phase in phases:
            out.update(self.calls.get(phase, Counter()))
        return out


def _key_shape(key: dict[str, Any]) -> str:
    """``PK/SK`` of a DynamoDB key or item with the ids left out (``CAND#/PROFILE``)."""
    parts = []
    for name in ("PK", "SK"):
        value = next(iter((key.get(name) or {}).values()), "")
        parts.append("#".join(p for p in str(value).split("#") if p.isupper() or not p) or "?")
    return "/".join(parts)


def _touched(request: dict[str, Any]) -> str:
    """The item shapes one DynamoDB request reads or writes, for the per-call listing."""
    if "TransactItems" in request:
        return (
            "["
            + ", ".join(
                f"{kind} {_key_shape(body.get('Key') or body.get('Item') or {})}"
                for r in request["TransactItems"]
                for kind, body in r.items()
            )
            + "]"
        )
    if "RequestItems" in request:
        keys = []
        for t in request["RequestItems"].values():
            if isinstance(t, dict):  # BatchGetItem: {"Keys": [...]} per table
                keys += t.get("Keys") or []
            else:  # BatchWriteItem: [{"PutRequest": {"Item"}} | {"DeleteRequest": {"Key"}}] per table
                keys += [body.get("Key") or body.get("Item") or {} for w in t for body in w.values()]
        return "[" + ", ".join(_key_shape(k) for k in keys) + "]"
    if "KeyConditionExpression" in request:
        values = request.get("ExpressionAttributeValues", {})
        shown = ",".join(_key_shape({"PK": v}) for v in values.values())
        return f"{request.get('IndexName', 'table')} {shown}"
    return _key_shape(request.get("Key") or request.get("Item") or {})


def _kb(value: Any) -> int:
    return max(1, math.ceil(len(json.dumps(value, default=str)) / 1024))


def _writes(item: dict[str, Any]) -> int:
    return _kb(item) + (1 if "GSI1PK" in item else 0) + (1 if "GSI2PK" in item else 0)


def _capacity(op: str, request: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float]:
    read_factor = 1.0 if request.get("ConsistentRead") else 0.5
    if op == "GetItem":
        return 0.0, read_factor * max(1, math.ceil(len(json.dumps(parsed.get("Item", {}), default=str)) / 4096))
    if op == "Query":
        size = len(json.dumps(parsed.get("Items", []), default=str))
        return 0.0, read_factor * max(1, math.ceil(size / 4096))
    if op == "PutItem":
        return float(_writes(request.get("Item", {}))), 0.0
    if op in ("UpdateItem", "DeleteItem"):
        gsi = 1 if "GSI1" in json.dumps(request) else 0
        gsi += 1 if "status_rank" in json.dumps(request) else 0  # a message's status is in GSI2 too
        return float(_kb(request) + gsi), 0.0
    if op == "BatchWriteItem":
        units = 0
        for requests in request.get("RequestItems", {}).values():
            for r in requests:
                units += _writes(r.get("PutRequest", {}).get("Item", {})) if "PutRequest" in r else 1
        return float(units), 0.0
    if op == "TransactWriteItems":
        units = 0
        for r in request.get("TransactItems", []):
            (kind, body), *_ = r.items()
            units += 2 * (_writes(body.get("Item", {})) if kind == "Put" else _kb(body))
        return float(units), 0.0
    if op == "TransactGetItems":
        return 0.0, 2.0 * len(request.get("TransactItems", []))
    return 0.0, 0.0


# The console's reports: how the messages report reads, and what that costs (arithmetic on the
# index item's size and DynamoDB's on-demand prices, not a run).
REPORTS_SECTION = """## The console's reports

The messages report (`/console/reports`) reads the message log's index `GSI2`, keyed by the UTC
month of sending and sharded 8 ways (`MESSAGES#<yyyy-mm>#<n>` / `<sent>#<ns>#<msg id>`, projecting
only kind, channel and status): one Query a shard of each month the period touches, the 8 shards
read side by side, each page counted and dropped, only that period's messages. Never a Scan.
Why an index and not counters kept per hour, kind, channel and status: an index is exact for any
period in any time zone (30- and 45-minute offsets included), needs no change to the send and
event paths beyond two attributes on the item, and DynamoDB keeps it consistent with every status
move; counters would have to move in the same transaction as each status (TransactWriteItems at
twice the write price, conflicting on hot counter items) and still round a period to their bucket.

An index item is about 330 bytes, so a 1 MB Query page holds about 3,000 messages and a read unit
(eventually consistent, 8 KB) about 24.

| messages in the period | read units a view | USD a view (on-demand reads) | 1 MB pages a shard, read side by side |
|---:|---:|---:|---:|
| 10,000 | ~400 | 0.00005 | 1 |
| 100,000 | ~4,000 | 0.0005 | ~4 |
| 1,000,000 | ~40,000 | 0.005 | ~40 |

Writes: each logged message and each move of its status (typically one: delivered) also write
the index, one write unit each: about 2 more write units a message (USD 1.25 a million messages),
counted in the cost table above. Storage: 330 bytes a message, for as long as the log
keeps it. A month's key takes the sends of that month on 8 partitions: at docs/scale.md's busiest
minute (11,850 deliveries at 1,000,000 interviews a month) that is about 50 writes a second a
shard (a write and a status move each), well under 1,000. At that volume a 30-day period holds
about 6,000,000 messages: ~240 pages a shard, past the HTTP API's 30-second limit; the step then is hourly counters moved in the
status transaction (above), read as a few thousand small items. The unreachable and outcomes
reports walk the roster (the candidate listing, and per candidate one Query of its interviews and
one of its applications): a report asked for now and then, paged on screen (unreachable), whole
in the CSV.
""".splitlines()


# --------------------------------------------------------------------------- local stack runs

JANE = ("Jane Doe", "jane.doe@acme-robotics.com")


class Driver:
    """Plays operator, Cal.com and the clock against a running local stack."""

    def __init__(self, stack: Any, counter: CallCounter) -> None:
        from local_stack.client import LocalClient

        self.stack = stack
        self.client = LocalClient(stack.base_url)
        self.counter = counter
        self.invocations: dict[str, Counter[str]] = defaultdict(Counter)
        self.durations: dict[str, list[float]] = defaultdict(list)
        self.function_ms: dict[str, list[float]] = defaultdict(list)
        self.fired: Counter[str] = Counter()
        self._wrap_functions()

    def _wrap_functions(self) -> None:
        for fn in self.stack.runtime.functions.values():
            # Names the caller at the counting proxy (the SDK's ``app/<id>`` user-agent part).
            fn.environment["AWS_SDK_UA_APP_ID"] = fn.spec.logical_id
            self._wrap(fn)

    def _wrap(self, fn: Any) -> None:
        invoke = fn.invoke
        logical_id = fn.spec.logical_id

        def timed(event: Any) -> Any:
            started = time.perf_counter()
            try:
                return invoke(event)
            finally:
                ms = (time.perf_counter() - started) * 1000
                key = _route_key(logical_id, event)
                self.durations[key].append(ms)
                self.function_ms[logical_id].append(ms)
                self.invocations[self.counter.phase][logical_id] += 1

        fn.invoke = timed

    def register(self, email: str) -> str:
        # Not the events/ samples' number: the probe's inbound_sms-stop sample opts that one out.
        reply = self.client.register(
            email=email, timezone="Europe/London", channels=["email", "sms"], phone="+447700900456", name="Ada"
        )
        # 409: a retried write (botocore retries a call that timed out) had already registered them.
        assert reply.status in (201, 409), reply
        return reply.body.get("candidate_id", "")

    def book(self, email: str, uid: str, start: datetime, now: datetime) -> str:
        reply = self.client.book(email, uid, start, now, organizer=JANE)
        assert reply.status == 200, reply
        return reply.body["interview_id"]

    def clock(self, moment: datetime) -> None:
        fired = self.stack.set_clock(moment)["fired"]
        self.fired[self.counter.phase] += len(fired)

    def load(self, count: int, start_index: int, now: datetime) -> float:
        """Register and book ``count`` interviews far in the future; returns bookings per second."""
        self.counter.phase = "load"
        started = time.perf_counter()
        for i in range(start_index, start_index + count):
            email = f"load-{i}@example.org"
            self.register(email)
            when = datetime(2040, 1, 2, 9, tzinfo=UTC) + timedelta(hours=i % 2000)
            self.book(email, f"load-{i}", when, now)
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} bookings, {time.perf_counter() - started:.0f} s", flush=True)
        return count / (time.perf_counter() - started)

    def lifecycle(self, label: str, week: int, sample: int) -> list[str]:
        """``sample`` interviews through booking, research prompt, thank-you, offer and connect.

        Returns the phase names; counts land in the counter under ``<label>:<phase>``.
        """
        base = datetime(2031, 3, 3, 9, 0, tzinfo=UTC) + timedelta(weeks=week)  # a Monday
        start = base + timedelta(days=3, hours=5)  # Thursday 14:00 UTC
        phases = ["register", "booking", "research_prompt", "thank_you", "offer", "connect"]
        p = {name: f"{label}:{name}" for name in phases}
        self.clock(base)
        emails = [f"life-{label}-{i}@example.org" for i in range(sample)]
        self.counter.phase = p["register"]
        for email in emails:
            self.register(email)
        self.clock(base)  # each candidate's welcome goes now: registering, not the lifecycle, pays for it
        self.counter.phase = p["booking"]
        ids = [self.book(email, f"life-{label}-{i}", start, base) for i, email in enumerate(emails)]
        self.counter.phase = p["research_prompt"]
        self.clock(start - timedelta(hours=48))
        self.counter.phase = p["thank_you"]
        self.clock(start + timedelta(hours=2))
        self.counter.phase = p["offer"]
        self.clock(start + timedelta(days=2))
        for interview_id in ids:
            reply = self.client.outcome(interview_id, "offer")
            assert reply.status == 202, reply
        self.counter.phase = p["connect"]
        self.clock(start + timedelta(days=2, minutes=1))
        self.counter.phase = "after"
        return [p[name] for name in phases]

    def warm_reads(self, repeats: int) -> None:
        """GET routes and a validation error, repeated, for latency samples."""
        self.counter.phase = "warm"
        email = "warm@example.org"
        candidate_id = self.register(email)
        assert candidate_id
        now = datetime(2030, 6, 3, 9, tzinfo=UTC)
        self.clock(now)
        self.book(email, "warm-1", now + timedelta(days=3), now)
        for _ in range(repeats):
            self.client.request("GET", f"/candidates/{candidate_id}")
            self.client.interviews(candidate_id)
            self.client.request("POST", "/candidates", {"email": "bad", "timezone": "Europe/London"})
        reply = self.client.request("DELETE", f"/candidates/{candidate_id}")
        assert reply.status == 204, reply


def _route_key(logical_id: str, event: Any) -> str:
    if isinstance(event, dict) and "routeKey" in event:
        return event["routeKey"]
    if isinstance(event, dict) and event.get("Records"):
        source = event["Records"][0].get("eventSource") or event["Records"][0].get("EventSource") or "records"
        return f"{logical_id} ({source})"
    return f"{logical_id} (scheduled)"


# Runs in the Lambda interpreter with a function's environment: its handler module imported,
# then ``app.resolve`` timed on the event given (no AWS call: a route nobody serves).
OVERHEAD_CHILD = r"""
import importlib, json, statistics, sys, time
code_dir, module, repeats, event = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
sys.path.insert(0, code_dir)
app = getattr(importlib.import_module(module), "app", None)
if app is None or not hasattr(app, "resolve"):
    print(json.dumps(None)); sys.exit(0)
class Context:
    function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"; aws_request_id = "bench"
    def get_remaining_time_in_millis(self): return 10000
samples = []
for _ in range(repeats):
    started = time.perf_counter()
    response = app.resolve(event, Context())
    samples.append((time.perf_counter() - started) * 1000)
assert response["statusCode"] == 404, response
print(json.dumps(statistics.median(samples)))
"""


def framework_overhead(stack: Any, repeats: int) -> dict[str, float]:
    """p50 of ``app.resolve`` on a route that no handler serves (404): no AWS call at all."""
    from local_stack.apigw import build_event, make_route
    from local_stack.runtime import lambda_python

    out = {}
    for fn in stack.runtime.functions.values():
        if not fn.spec.events_of_type("HttpApi"):
            continue
        route = make_route("POST", "/_bench/nothing-here", fn)
        event = build_event(
            route=route,
            path_params={},
            method="POST",
            raw_path="/_bench/nothing-here",
            raw_query="",
            headers=[("content-type", "application/json")],
            body=b"{}",
            source_ip="127.0.0.1",
            host="localhost",
            account_id="123456789012",
            now=datetime.now(UTC),
        )
        env = {**fn.environment, "PYTHONPATH": os.pathsep.join(str(p) for p in stack.runtime.config.layer_paths)}
        result = subprocess.run(
            [
                str(lambda_python()),
                "-c",
                OVERHEAD_CHILD,
                str(fn.spec.code_dir),
                fn.spec.module,
                str(repeats),
                json.dumps(event),
            ],
            env=env,
            cwd=fn.spec.code_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"framework overhead of {fn.spec.logical_id} failed:\n{result.stderr[-2000:]}")
        median = json.loads(result.stdout.strip().splitlines()[-1])
        if median is not None:
            out[fn.spec.logical_id] = median
    return out


def count_calls(sample: int, detail: bool) -> int:
    """Only the counted lifecycle (``--calls``): per operation and per phase, and with ``--detail``
    every call with the items it touched. A warm-up lifecycle first, as the full run does."""
    import logging

    from moto.server import ThreadedMotoServer

    from local_stack import LocalStack, moto_speedups
    from local_stack.faults import FaultProxy

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    counter = CallCounter()
    moto_speedups.install()  # as the stack's embedded moto: atomic conditional writes, flat costs
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    proxy = FaultProxy(f"http://{host}:{port}", observer=counter.observe).start()
    stack = LocalStack(
        ROOT,
        endpoint_url=f"http://{host}:{port}",
        function_endpoint_url=proxy.url,
        parameter_overrides={"LogLevel": "WARNING"},
        echo_function_logs=False,
    )
    stack.start()
    try:
        driver = Driver(stack, counter)
        driver.clock(datetime(2031, 3, 3, 8, 0, tzinfo=UTC))
        driver.lifecycle("warmup", 0, sample)
        phases = driver.lifecycle("counted", 2, sample)
    finally:
        stack.stop()
        proxy.stop()
        moto.stop()
    lifecycle = [p for p in phases if not p.endswith(":register")]
    print(f"| operation | per interview ({sample} interviews) |")
    print("|---|---:|")
    for op, c in sorted(counter.total(lifecycle).items()):
        print(f"| {op} | {c / sample:g} |")
    total = sum(counter.total(lifecycle).values()) / sample
    print(f"| **lifecycle (without registering)** | **{total:g}** |")
    print()
    print("| phase | calls | by operation |")
    print("|---|---:|---|")
    for phase in phases:
        ops_ = counter.calls.get(phase, Counter())
        text = ", ".join(f"{op} {c / sample:g}" for op, c in sorted(ops_.items()))
        print(f"| {phase.split(':', 1)[1]} | {sum(ops_.values()) / sample:g} | {text} |")
    print()
    ok = total <= LIFECYCLE_CALL_BUDGET
    print(
        f"Target: at most {LIFECYCLE_CALL_BUDGET} warm AWS calls for an interview's whole lifecycle: "
        f"{total:g}, {'met ✓' if ok else f'missed ✗ by {total - LIFECYCLE_CALL_BUDGET:g}'}."
    )
    print()
    print(_sweep_line(counter, driver))
    if detail:
        for phase in [*phases, SWEEP]:
            print(f"\n{phase} (all {sample} interviews):")
            for line, c in sorted(Counter(counter.details.get(phase, [])).items()):
                print(f"  {c:3d}  {line}")
    return 0


def _sweep_line(counter: CallCounter, driver: Driver) -> str:
    runs = sum(c.get("CalendarSyncFunction", 0) for c in driver.invocations.values())
    calls = counter.calls.get(SWEEP, Counter())
    detail = ", ".join(f"{op} {c}" for op, c in sorted(calls.items()))
    return (
        f"Apart, not per interview: the calendar-watch renewal sweep (CalendarSyncFunction, every 6 hours "
        f"whatever the number of interviews) made {sum(calls.values())} calls over its {runs} runs in the "
        f"whole run ({detail or 'none'}): one Query per shard of the renewal index."
    )


def run_stack(sample: int, load_small: int, load_large: int, repeats: int) -> dict[str, Any]:
    import logging

    from moto.server import ThreadedMotoServer

    from local_stack import LocalStack, moto_speedups
    from local_stack.faults import FaultProxy

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    counter = CallCounter()
    moto_speedups.install()  # as the stack's embedded moto: atomic conditional writes, flat costs
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    # The functions run in processes of their own (local_stack.runtime): they reach AWS through
    # a proxy that counts every call (and injects nothing).
    proxy = FaultProxy(f"http://{host}:{port}", observer=counter.observe).start()
    stack = LocalStack(
        ROOT,
        endpoint_url=f"http://{host}:{port}",
        function_endpoint_url=proxy.url,
        # The functions' INFO and EMF lines would bury the report; `make local` shows them.
        parameter_overrides={"LogLevel": "WARNING"},
        echo_function_logs=False,
    )
    stack.start()
    try:
        driver = Driver(stack, counter)
        driver.clock(datetime(2031, 3, 3, 8, 0, tzinfo=UTC))
        now = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
        rate_small = driver.load(load_small, 0, now)
        # One lifecycle first, not counted: every function has had its first request (clients
        # built, secrets cached) before the counted ones, so both tables count warm calls alike.
        driver.lifecycle("warmup", 0, sample)
        phases_small = driver.lifecycle("at_small", 2, sample)
        rate_large = driver.load(load_large - load_small, load_small, now)
        phases_large = driver.lifecycle("at_large", 6, sample)
        driver.warm_reads(repeats)
        overhead = framework_overhead(stack, max(200, repeats * 20))
        load_ms = driver.function_ms
    finally:
        stack.stop()
        proxy.stop()
        moto.stop()
    return {
        "counter": counter,
        "driver": driver,
        "phases_small": phases_small,
        "phases_large": phases_large,
        "rate": load_large / (load_small / rate_small + (load_large - load_small) / max(rate_large, 1e-9)),
        "rate_small": rate_small,
        "rate_large": rate_large,
        "load": load_large,
        "load_small": load_small,
        "sample": sample,
        "overhead": overhead,
        "load_ms": load_ms,
    }


# --------------------------------------------------------------------------- cost


def per_interview(run: dict[str, Any], phases: list[str]) -> dict[str, Any]:
    counter: CallCounter = run["counter"]
    driver: Driver = run["driver"]
    n = run["sample"]
    calls = counter.total(phases)
    lifecycle = [p for p in phases if not p.endswith(":register")]
    invocations: Counter[str] = Counter()
    for phase in phases:
        invocations.update(driver.invocations.get(phase, Counter()))
    return {
        "calls": {op: c / n for op, c in sorted(calls.items())},
        "lifecycle_calls": sum(counter.total(lifecycle).values()) / n,
        "register_calls": sum(counter.total([p for p in phases if p.endswith(":register")]).values()) / n,
        # The lifecycle's messages (the welcome, one per candidate, goes with registering).
        "messages": sum(c for op, c in counter.total(lifecycle).items() if op in ("sesv2:SendEmail", "sns:Publish"))
        / n,
        "emails": calls.get("sesv2:SendEmail", 0) / n,
        "sms": calls.get("sns:Publish", 0) / n,
        "wru": sum(counter.wru[p] for p in phases) / n,
        "rru": sum(counter.rru[p] for p in phases) / n,
        "invocations": {k: v / n for k, v in invocations.items()},
        "fired": sum(driver.fired[p] for p in phases) / n,
        "http": sum(v for p in phases for k, v in driver.invocations.get(p, Counter()).items() if _is_http(run, k)) / n,
    }


def _is_http(run: dict[str, Any], logical_id: str) -> bool:
    return logical_id in run["http_functions"]


def cost_ours(pi: dict[str, Any], fns: dict[str, Fn], cold: dict[str, Any], run: dict[str, Any]) -> dict[str, float]:
    """Dollars per interview, every invocation billed as a cold start (init is billed since 2025-08)."""
    p = {k: v for k, (v, _) in PRICES.items()}
    gb_s = 0.0
    for logical_id, count in pi["invocations"].items():
        warm = statistics.median(run["load_ms"].get(logical_id) or [10.0])
        init = cold.get(logical_id, {}).get("init_ms", 0.0)
        gb_s += count * (math.ceil(warm) + init) / 1000 * fns[logical_id].memory_mb / 1024
    sqs_calls = pi["calls"].get("sqs:SendMessage", 0) * 3  # send + the poller's receive and delete
    secrets = sum(v for k, v in pi["calls"].items() if k.startswith("secretsmanager:"))
    return {
        "Lambda": gb_s * p["lambda_gb_s_arm64"] + sum(pi["invocations"].values()) * p["lambda_request"],
        "API Gateway": pi["http"] * p["http_api_request"],
        "Scheduler": pi["fired"] * p["scheduler_invocation"],
        "DynamoDB": pi["wru"] * p["ddb_wru"] + pi["rru"] * p["ddb_rru"],
        "SQS + Secrets Manager": sqs_calls * p["sqs_request"] + secrets * p["secrets_call"],
        "SES (apart)": pi["emails"] * p["ses_email"],
        "SMS (apart)": pi["sms"] * p["sms_us"],
    }


def cost_cron(
    pi: dict[str, Any], ours: dict[str, float], interviews: int, run: dict[str, Any], counter: CallCounter
) -> dict[str, float]:
    """Monthly dollars for the cron design: a function every minute queries the due nudges.

    Per interview it makes the same store and send calls as ours, minus the Scheduler API calls
    and invocations; on top, 43,200 invocations a month each making one Query on a due-time index
    (0.5 read unit per 4 KB returned), however few interviews there are.
    """
    p = {k: v for k, (v, _) in PRICES.items()}
    query_ms = statistics.median(counter.latency.get("dynamodb:Query") or [5.0])
    cron_gb_s = MINUTES_PER_MONTH * (math.ceil(query_ms) + 1) / 1000 * 256 / 1024
    due_per_minute = interviews * 2 / MINUTES_PER_MONTH  # research prompt and thank-you
    rru = MINUTES_PER_MONTH * 0.5 * max(1, math.ceil(due_per_minute * 1 / 4))
    scheduler_calls = sum(v for k, v in pi["calls"].items() if k.startswith("scheduler:"))
    # The nudge's due-time index entry is written with the nudge (no extra call); the Scheduler
    # API calls disappear; the delivery work moves into the cron function.
    per = dict(ours)
    per["Scheduler"] = 0.0
    per["Lambda"] = ours["Lambda"] - pi["fired"] * p["lambda_request"]
    monthly = {k: v * interviews for k, v in per.items()}
    monthly["Lambda"] += cron_gb_s * p["lambda_gb_s_arm64"] + MINUTES_PER_MONTH * p["lambda_request"]
    monthly["DynamoDB"] += rru * p["ddb_rru"]
    return {
        "costs": monthly,
        "calls_per_interview": sum(pi["calls"].values()) - scheduler_calls,
        "fixed_calls": MINUTES_PER_MONTH,
    }


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem_s = f", {mem} GiB RAM"
    except (OSError, StopIteration):
        mem_s = ""
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}){mem_s}, "
        f"Python {platform.python_version()}"
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def render(fns: list[Fn], cold: dict[str, Any], run: dict[str, Any], args: argparse.Namespace) -> tuple[str, list]:
    lines: list[str] = []
    missed: list[str] = []
    add = lines.append
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    add("# Performance")
    add("")
    add(f"Measured by `make bench` (`scripts/bench.py{' --quick' if args.quick else ''}`) on {stamp}.")
    add(f"Machine: {machine()}.")
    add("Numbers are from this machine, not from Lambda: ratios measured side by side carry over, absolute")
    add("milliseconds do not (Lambda's arm64 cores at 256 MB get a fraction of a vCPU).")
    start_load, end_load = args.load_average
    add(
        f"Load average (1 min) at the start and the end of the run: {start_load:.1f} and {end_load:.1f} on "
        f"{os.cpu_count()} CPUs{': other jobs shared the machine, which inflates every absolute time' if max(start_load, end_load) > 1 else ''}; "
        "the subjects of each comparison ran interleaved, so the ratios are the figures to read."
    )
    add("")
    bare = cold["bare"]
    small = per_interview(run, run["phases_small"])
    add("## Headline")
    add("")
    add("| measure | value | target | |")
    add("|---|---:|---:|---|")
    for label, kinds, target in (
        ("cold first response, webhooks and the API (worst)", ("webhook", "api"), COLD_TARGET_HTTP),
        ("cold first response, the other functions (worst)", ("async",), COLD_TARGET_OTHER),
    ):
        ratios = {
            fn.logical_id: cold[fn.logical_id]["first_ms"] / bare["first_ms"]
            for fn in fns
            if fn.kind in kinds and fn.logical_id in cold
        }
        worst = max(ratios, key=ratios.__getitem__)
        ok = ratios[worst] <= target
        add(f"| {label} | {ratios[worst]:.2f}x ({worst}) | {target}x | {'✓' if ok else '✗'} |")
    ok = small["lifecycle_calls"] <= LIFECYCLE_CALL_BUDGET
    add(
        f"| warm AWS calls per interview lifecycle ({small['messages']:g} messages) | {small['lifecycle_calls']:g} | "
        f"{LIFECYCLE_CALL_BUDGET} | {'✓' if ok else '✗'} |"
    )
    add("")

    add("## Cold first response")
    add("")
    add(
        f"Median of {bare['runs']} rounds, each against a fresh local stack, the subjects interleaved so background "
        "noise hits each alike. Each subject is a fresh process with the function's own environment "
        "(`template.yaml`'s, Globals merged, plus what Lambda sets): *import* is what Lambda reports as Init "
        "Duration (the handler module imported, the layer on the path as `/opt/python`, the bytecode `make build` "
        "ships); *first response* is import plus handling the function's `events/` sample named below against "
        "the stack's AWS endpoint (moto over HTTP, on this machine): every client built, every secret read, every "
        "AWS call of a first request. The bare handler imports boto3, builds a DynamoDB client at import and "
        "makes one GetItem; its first response is the denominator. Providers' APIs point at a closed port, so a "
        "sample that would call one answers as it does when the provider is down (its status is shown). "
        f"Targets: {COLD_TARGET_HTTP}x for webhooks and the API, {COLD_TARGET_OTHER}x for the rest."
    )
    add("")
    add(
        "| function | kind | sample | answer | import ms | first response ms | ratio | target | "
        "peak RSS after import MB | after first response MB | heavy modules at import |"
    )
    add("|---|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    add(
        f"| bare (boto3, 1 GetItem) | baseline | | {', '.join(bare['status'])} | {bare['init_ms']:.0f} | "
        f"{bare['first_ms']:.0f} | 1.00x | | {bare['rss_init_mb']:.0f} | {bare['rss_first_mb']:.0f} | boto3 |"
    )
    for fn in fns:
        c = cold.get(fn.logical_id)
        if c is None:
            add(f"| {fn.logical_id} | {fn.kind} | no sample | | | | | {fn.target}x | | | |")
            continue
        ratio = c["first_ms"] / bare["first_ms"]
        ok = ratio <= fn.target
        if not ok:
            missed.append(
                f"cold first response of {fn.logical_id}: {ratio:.2f}x against {fn.target}x "
                f"({c['first_ms'] - fn.target * bare['first_ms']:.0f} ms over)"
            )
        sample = fn.sample.stem.split("-", 1)[1] if fn.sample else ""
        add(
            f"| {fn.logical_id} | {fn.kind} | {sample} | {', '.join(c['status'])} | {c['init_ms']:.0f} | "
            f"{c['first_ms']:.0f} | {ratio:.2f}x {'✓' if ok else '✗'} | {fn.target}x | "
            f"{c['rss_init_mb']:.0f} | {c['rss_first_mb']:.0f} | {', '.join(c['heavy']) or '-'} |"
        )
    add("")

    driver: Driver = run["driver"]
    add("## Warm latency per route (local stack, moto over HTTP)")
    add("")
    add("Time inside the function (the handler call), the AWS calls going to the local moto server.")
    add("")
    add("| route | samples | p50 ms | p99 ms |")
    add("|---|---:|---:|---:|")
    for key in sorted(driver.durations):
        values = driver.durations[key]
        add(f"| {key} | {len(values)} | {pct(values, 0.5):.1f} | {pct(values, 0.99):.1f} |")
    add("")
    add(
        f"Framework overhead: `app.resolve` of a request no route serves (404, no AWS call), p50 of "
        f"{max(200, args.repeats * 20)} calls; target under {OVERHEAD_TARGET_MS} ms."
    )
    add("")
    add("| function | p50 ms |")
    add("|---|---:|")
    for logical_id, ms in run["overhead"].items():
        ok = ms < OVERHEAD_TARGET_MS
        if not ok:
            missed.append(f"framework overhead of {logical_id}: {ms:.3f} ms against {OVERHEAD_TARGET_MS} ms")
        add(f"| {logical_id} | {ms:.3f} {'✓' if ok else '✗'} |")
    add("")

    large = per_interview(run, run["phases_large"])
    add("## AWS calls per interview")
    add("")
    add(
        f"Counted at a proxy in front of the AWS endpoint that every function process calls through (retries "
        f"included), over {run['sample']} "
        f"interviews each taken through booking (Cal.com webhook), research prompt, thank-you, offer (operator "
        f"API) and connect, every nudge by email and SMS; once with {run['load_small']} interviews in the table, "
        f"once with {run['load']}. Registering the candidate is listed apart (once per candidate, not per "
        "interview). Both counts are warm: an uncounted lifecycle runs first, so every function has built its "
        "clients and cached its secrets (a cold start's one-off GetSecretValue is not in either)."
    )
    add("")
    ops = sorted(set(small["calls"]) | set(large["calls"]))
    add(f"| operation | per interview at {run['load_small']} | at {run['load']} |")
    add("|---|---:|---:|")
    for op in ops:
        add(f"| {op} | {small['calls'].get(op, 0):g} | {large['calls'].get(op, 0):g} |")
    budget = LIFECYCLE_CALL_BUDGET
    ok = small["lifecycle_calls"] <= budget
    if not ok:
        missed.append(
            f"AWS calls per interview lifecycle: {small['lifecycle_calls']:g} against {budget} "
            f"({small['messages']:g} messages)"
        )
    same = small["calls"] == large["calls"]
    if not same:
        missed.append("calls per interview differ between the small and the large table")
    add(
        f"| **lifecycle (without registering)** | **{small['lifecycle_calls']:g}** | **{large['lifecycle_calls']:g}** |"
    )
    add(f"| registering the candidate | {small['register_calls']:g} | {large['register_calls']:g} |")
    add("")
    add("Where they go, per interview and phase:")
    add("")
    add("| phase | calls | by operation |")
    add("|---|---:|---|")
    counter: CallCounter = run["counter"]
    for phase in run["phases_small"]:
        ops_ = counter.calls.get(phase, Counter())
        detail = ", ".join(f"{op} {c / run['sample']:g}" for op, c in sorted(ops_.items()))
        add(f"| {phase.split(':', 1)[1]} | {sum(ops_.values()) / run['sample']:g} | {detail} |")
    add("")
    add(
        f"Target: at most {budget} warm AWS calls for an interview's whole lifecycle with its "
        f"{small['messages']:g} messages ({LIFECYCLE_CALLS_BEFORE} before issue 12's one batch read and one "
        f"transaction per webhook): {small['lifecycle_calls']:g}, {'met ✓' if ok else 'missed ✗'}"
        f"{'' if ok else f' by {small["lifecycle_calls"] - budget:g} (the phases above say where they go)'}. "
        f"Same at {run['load_small']} and {run['load']} interviews: {'yes ✓' if same else 'no ✗'} "
        "(no call grows with the table: nothing scans it)."
    )
    add(_sweep_line(counter, driver))
    add(
        f"Estimated DynamoDB units per interview: {small['wru']:g} write, {small['rru']:g} read. "
        f"Lambda invocations: {sum(small['invocations'].values()):g} "
        f"({', '.join(f'{k} {v:g}' for k, v in sorted(small['invocations'].items()))}); "
        f"Scheduler deliveries: {small['fired']:g}."
    )
    add("")
    add("## Load")
    add("")
    add(
        f"{run['load']} candidates registered and booked through the local stack's HTTP routes, one at a time: "
        f"{run['rate']:.1f} bookings per second (register + booking; each function in execution environments "
        f"of its own, against moto): {run['rate_small']:.1f} per second for the first {run['load_small']}, "
        f"{run['rate_large']:.1f} for the rest."
    )
    add("")

    fn_map = {fn.logical_id: fn for fn in fns}
    ours = cost_ours(small, fn_map, cold, run)
    add("## Cost per 1,000 interviews")
    add("")
    add(
        "From the counted calls above (registration included, one candidate per interview), every invocation "
        "billed as a cold start (init time plus warm duration, measured here), no free tier."
    )
    add("")
    add("| item | USD per 1,000 interviews |")
    add("|---|---:|")
    infra = 0.0
    for item, dollars in ours.items():
        add(f"| {item} | {dollars * 1000:.4f} |")
        if "apart" not in item:
            infra += dollars * 1000
    add(f"| **infrastructure (without SES and SMS)** | **{infra:.4f}** |")
    add("")
    add("### The alternative: a cron function every minute querying due reminders")
    add("")
    add(
        "Same store and send calls per interview, no Scheduler calls or deliveries; on top, "
        f"{MINUTES_PER_MONTH:,} invocations a month (one a minute), each a DynamoDB Query on a due-time index."
    )
    add("")
    add("| interviews a month | design | AWS calls a month | infrastructure USD a month | SES + SMS USD a month |")
    add("|---:|---|---:|---:|---:|")
    total_calls = sum(small["calls"].values())
    for volume in (1_000, 100_000):
        cron = cost_cron(small, ours, volume, run, run["counter"])
        ours_infra = sum(v for k, v in ours.items() if "apart" not in k) * volume
        messages = (ours["SES (apart)"] + ours["SMS (apart)"]) * volume
        cron_infra = sum(v for k, v in cron["costs"].items() if "apart" not in k)
        add(
            f"| {volume:,} | schedules (this service) | {total_calls * volume:,.0f} | {ours_infra:.2f} | "
            f"{messages:.2f} |"
        )
        add(
            f"| {volume:,} | cron every minute | {cron['calls_per_interview'] * volume + cron['fixed_calls']:,.0f} | "
            f"{cron_infra:.2f} | {messages:.2f} |"
        )
    add("")
    add(
        "The cron design also delivers up to a minute late and pays for its minute ticks when nobody has an "
        "interview; one schedule per nudge (FlexibleTimeWindow OFF) costs nothing while idle."
    )
    add("")
    add(f"Prices (us-east-1, read {PRICES_READ}):")
    add("")
    for name, (value, source) in PRICES.items():
        add(f"- {name}: ${value:.10g} — {source}")
    add("")
    for line in REPORTS_SECTION:
        add(line)
    add("")
    add("## Verdict")
    add("")
    if missed:
        add("Missed targets:")
        add("")
        for item in missed:
            add(f"- {item}")
    else:
        add("Every target above is met.")
    add("")
    return lines, missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (for the test suite)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--runs", type=int, default=None, help="cold first-response rounds (default 7)")
    parser.add_argument("--load", type=int, default=None, help="bookings in the load run (default 1000)")
    parser.add_argument("--calls", action="store_true", help="only count one lifecycle's AWS calls (printed)")
    parser.add_argument("--detail", action="store_true", help="with --calls: every call and the items it touched")
    args = parser.parse_args(argv)
    if args.calls:
        return count_calls(1 if args.quick else 3, args.detail)
    runs = args.runs or (1 if args.quick else 7)
    load_large = args.load or (4 if args.quick else 1000)
    load_small = max(1, min(100, load_large // 10)) if args.quick else 100
    sample = 1 if args.quick else 3
    args.repeats = 3 if args.quick else 100

    start_load = os.getloadavg()[0]
    fns = discover(ROOT / "template.yaml")
    print(f"functions: {', '.join(f'{f.logical_id} ({f.kind})' for f in fns)}", flush=True)
    print(f"cold first response: {runs} rounds, each against a fresh local stack ...", flush=True)
    cold = measure_first_response(fns, runs)
    print(f"local stack: load run of {load_large} bookings, lifecycles, warm routes ...", flush=True)
    run = run_stack(sample, load_small, load_large, args.repeats)
    if not run["counter"].total(run["phases_small"]):
        # The counter hooks the session of the functions running in this process; functions run
        # elsewhere (a process each) would make every count a silent zero.
        raise SystemExit("bench: no AWS call was counted: do the functions still run in this process?")
    run["http_functions"] = {f.logical_id for f in fns if f.paths}
    args.load_average = (start_load, os.getloadavg()[0])
    lines, missed = render(fns, cold, run, args)
    text = "\n".join(lines)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"written to {out}; {len(missed)} target(s) missed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
