"""Builds the adapters and services a function needs from its environment, once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from nudges import config
from nudges.adapters.aws import client

if TYPE_CHECKING:
    from nudges.adapters.scheduler import NudgeScheduler
    from nudges.adapters.secrets import WebhookSecrets
    from nudges.adapters.store import NudgeStore
    from nudges.services.planning import NudgePlanner


@cache
def store() -> NudgeStore:
    from nudges.adapters.store import NudgeStore

    return NudgeStore(client("dynamodb"), config.table_name(), config.retention())


@cache
def scheduler() -> NudgeScheduler:
    from nudges.adapters.scheduler import NudgeScheduler

    return NudgeScheduler(client("scheduler"), client("sqs"), config.SchedulingConfig.from_env())


@cache
def planner() -> NudgePlanner:
    from nudges.services.planning import NudgePlanner

    return NudgePlanner(store(), scheduler(), config.timings())


@cache
def webhook_secrets() -> WebhookSecrets:
    import os

    from nudges.adapters.secrets import WebhookSecrets

    return WebhookSecrets(client("secretsmanager"), os.environ["WEBHOOK_SECRETS_ARN"])
