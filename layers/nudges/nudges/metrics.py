"""What the service did, as CloudWatch metrics: EMF lines on stdout, no API call and no client.

Services call one function per event (``nudge_sent("thank_you", "email")``); the handler,
decorated with ``flushing`` (``handlers.entry``), writes what its invocation recorded when it returns or raises:
one EMF line per set of dimension values, through Powertools (namespace from
``POWERTOOLS_METRICS_NAMESPACE``, a ``service`` dimension from ``POWERTOOLS_SERVICE_NAME``, both
set once in template.yaml's Globals; ``POWERTOOLS_METRICS_DISABLED=true`` silences them).

Every dimension value comes from a fixed list here (kinds, channels, providers), never from a
request, so no address, number or token can reach a metric. Counts are at least once: a retried
delivery may count an event its failed attempt already counted.

The names below are the ones template.yaml's alarms and dashboard use (a test checks both).
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import EphemeralMetrics

from nudges.domain.calendars import PROVIDER_NAMES
from nudges.domain.channels import CHANNELS as CHANNEL_NAMES
from nudges.domain.kinds import NUDGE_KINDS
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

NUDGES_PLANNED = "NudgesPlanned"  # kind: a nudge scheduled, or moved to a new time
NUDGES_SENT = "NudgesSent"  # kind, channel: a message that reached SES or SNS
NUDGES_SKIPPED = "NudgesSkipped"  # kind, channel: not sent on that channel ("none": on no channel)
NUDGES_CANCELLED = "NudgesCancelled"  # kind: withdrawn (the interview cancelled, the application ended)
NUDGE_LATENESS = "NudgeLatenessSeconds"  # send time minus due time, one sample per delivery sent
WEBHOOK_VERIFICATIONS_FAILED = "WebhookVerificationsFailed"  # provider: a webhook answered 401
DEPENDENCY_FAILURES = "DependencyFailures"  # dependency: a request answered 502/503, something it needs down

UNITS = {
    NUDGES_PLANNED: "Count",
    NUDGES_SENT: "Count",
    NUDGES_SKIPPED: "Count",
    NUDGES_CANCELLED: "Count",
    NUDGE_LATENESS: "Seconds",
    WEBHOOK_VERIFICATIONS_FAILED: "Count",
    DEPENDENCY_FAILURES: "Count",
}
# The dimension names of each metric (besides ``service``): dashboards and alarms must name all.
DIMENSIONS = {
    NUDGES_PLANNED: ("kind",),
    NUDGES_SENT: ("kind", "channel"),
    NUDGES_SKIPPED: ("kind", "channel"),
    NUDGES_CANCELLED: ("kind",),
    NUDGE_LATENESS: (),
    WEBHOOK_VERIFICATIONS_FAILED: ("provider",),
    DEPENDENCY_FAILURES: ("dependency",),
}
# Also written with ``service`` alone, so one alarm watches every provider at once (a metric-math
# alarm over the providers would be limited to 10 of them).
TOTALLED = {WEBHOOK_VERIFICATIONS_FAILED, DEPENDENCY_FAILURES}

KINDS = NUDGE_KINDS
CHANNELS = CHANNEL_NAMES
NO_CHANNEL = "none"
# The path segment after /webhooks/ of each webhook route.
PROVIDERS = ("calcom", "calendly", *PROVIDER_NAMES, "greenhouse", "lever", "outcome", "ics")
# What a request may find down: the providers' APIs the functions call, and AWS itself.
DEPENDENCIES = ("greenhouse", "lever", *PROVIDER_NAMES, "aws")
OTHER = "other"

_local = threading.local()  # per thread: the local stack runs several functions in one process


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else OTHER


def _record(name: str, value: float, **dimensions: str) -> None:
    pending: dict[tuple[tuple[str, str], ...], dict[str, list[float]]] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = {}
    pending.setdefault(tuple(sorted(dimensions.items())), {}).setdefault(name, []).append(value)


def nudge_planned(kind: str) -> None:
    _record(NUDGES_PLANNED, 1, kind=_one_of(kind, KINDS))


def nudge_sent(kind: str, channel: str) -> None:
    _record(NUDGES_SENT, 1, kind=_one_of(kind, KINDS), channel=_one_of(channel, CHANNELS))


def nudge_skipped(kind: str, channel: str | None = None) -> None:
    """Not sent on ``channel`` (refused there: suppressed, opted out), or, without one, not sent
    at all (nothing left to say, nobody to say it to, or planned too late)."""
    where = NO_CHANNEL if channel is None else _one_of(channel, CHANNELS)
    _record(NUDGES_SKIPPED, 1, kind=_one_of(kind, KINDS), channel=where)


def nudge_cancelled(kind: str) -> None:
    _record(NUDGES_CANCELLED, 1, kind=_one_of(kind, KINDS))


def nudge_withdrawn(kind: str, status: str) -> None:
    """A scheduled nudge given up on: ``status`` is the one it got (cancelled or skipped)."""
    if status == "cancelled":
        nudge_cancelled(kind)
    else:
        nudge_skipped(kind)


def send_lateness(seconds: float) -> None:
    _record(NUDGE_LATENESS, seconds)


def webhook_verification_failed(path: str | None) -> None:
    """A request to ``path`` (``/webhooks/<provider>/...``) failed verification; other paths are
    not webhooks and count nothing."""
    segments = [s for s in (path or "").split("/") if s]
    if "webhooks" not in segments[:-1]:
        return
    provider = segments[segments.index("webhooks") + 1]
    _record(WEBHOOK_VERIFICATIONS_FAILED, 1, provider=_one_of(provider, PROVIDERS))


def dependency_failed(dependency: str | None) -> None:
    """A request answered 502/503 because ``dependency`` failed or was unreachable."""
    _record(DEPENDENCY_FAILURES, 1, dependency=_one_of(dependency, DEPENDENCIES))


def pending() -> dict[tuple[tuple[str, str], ...], dict[str, list[float]]]:
    """What this thread recorded and has not written yet (for tests and ``flush``)."""
    return getattr(_local, "pending", None) or {}


def flush() -> None:
    """Write what this thread recorded, one EMF line per set of dimension values, and forget it.
    Never raises: a metric that cannot be written must not fail the request (it is logged)."""
    recorded = pending()
    _local.pending = None
    if not recorded:
        return
    try:
        for dimensions, values in recorded.items():
            line = EphemeralMetrics()
            for key, value in dimensions:
                line.add_dimension(name=key, value=value)
            if line.service and TOTALLED.intersection(values):
                line.add_dimensions(service=line.service)
            for name, samples in values.items():
                if UNITS[name] == "Count":
                    line.add_metric(name=name, unit="Count", value=sum(samples))
                else:
                    for sample in samples:
                        line.add_metric(name=name, unit=UNITS[name], value=sample)
            line.flush_metrics()
    except Exception:
        logger.exception("metrics not written", extra={"metrics": sorted({n for v in recorded.values() for n in v})})


def flushing[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """Decorate a Lambda handler: what its invocation recorded is written when it returns or raises."""

    @functools.wraps(handler)
    def invoke(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        finally:
            flush()

    return invoke
