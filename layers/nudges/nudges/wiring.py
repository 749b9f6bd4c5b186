"""Builds the adapters and services a function needs from its environment, once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from nudges import config
from nudges.adapters.aws import client

if TYPE_CHECKING:
    from nudges.adapters.ats import GreenhouseApi, LeverApi
    from nudges.adapters.scheduler import NudgeScheduler
    from nudges.adapters.secrets import WebhookSecrets
    from nudges.adapters.store import NudgeStore
    from nudges.services.offer_sources import OfferSources
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


def _api_key(name: str) -> str:
    from nudges.errors import NudgesError

    keys = webhook_secrets().for_provider(name)
    if not keys:
        raise NudgesError(f"no {name} in the WebhookSecrets secret")
    return keys[0]


@cache
def offer_sources() -> OfferSources:
    from nudges.services.offer_sources import OfferSources
    from nudges.services.outcomes import OutcomeService

    return OfferSources(store(), OutcomeService(store(), planner()))


def lever_api() -> LeverApi:
    from nudges.adapters.ats import LeverApi

    return LeverApi(config.lever_api_base_url(), _api_key("lever_api_key"))


def greenhouse_api() -> GreenhouseApi:
    from nudges.adapters.ats import GreenhouseApi

    return GreenhouseApi(config.greenhouse_api_base_url(), _api_key("greenhouse_api_key"))
