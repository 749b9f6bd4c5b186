"""The advisers' console's parts, built on the AWS adapters (nudges.wiring builds the rest): its
sessions and sign-in, the candidates' views, reports, the audit log, the advisers' actions and
accounts, join codes.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from typing import TYPE_CHECKING

from nudges import config
from nudges.adapters.aws import LazyClient  # each client built on its first call

if TYPE_CHECKING:
    from nudges.adapters.audit_log import AuditLog
    from nudges.adapters.console_sessions import ConsoleSessions
    from nudges.services.adviser_accounts import AdviserAccountService
    from nudges.services.adviser_actions import AdviserActions
    from nudges.services.adviser_candidate_actions import AdviserCandidateActions
    from nudges.services.adviser_views import AdviserViews
    from nudges.services.console_auth import ConsoleAuth
    from nudges.services.join_code_actions import JoinCodeActions
    from nudges.services.reports import Reports
from nudges.journey_wiring import hand_interviews, signup
from nudges.service_builders import _Deferred, _load
from nudges.wiring import (
    _email,
    _repository,
    applications,
    calendar_connections,
    candidate_directory,
    candidate_service,
    candidates,
    consent_requests,
    interviews,
    message_log,
    nudges,
    outcomes,
    preferences,
)


@cache
def console_sessions() -> ConsoleSessions:
    return _repository("nudges.adapters.console_sessions.ConsoleSessions")


@cache
def console_auth() -> ConsoleAuth:
    """Sign-in through the stack's pool, sessions in the table, tokens verified on every request."""
    pool_id, client_id = os.environ["ADVISER_POOL_ID"], os.environ["CONSOLE_CLIENT_ID"]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    tokens = importlib.import_module("nudges.adapters.tokens")
    verifier = tokens.TokenVerifier(pool_id, client_id, region, tokens.jwks_keys(tokens.jwks_url(region, pool_id)))
    pool = _load("nudges.adapters.adviser_pool.AdviserPool")(LazyClient("cognito-idp"), pool_id, client_id)
    return _load("nudges.services.console_auth.ConsoleAuth")(pool, verifier, console_sessions())


@cache
def adviser_views() -> AdviserViews:
    return _load("nudges.services.adviser_views.AdviserViews")(
        candidate_directory(),
        candidates(),
        preferences(),
        candidate_service(),
        calendar_connections(),
        message_log(),
        nudges(),
    )


@cache
def reports() -> Reports:
    """The console's reports (messages, unreachable candidates, outcomes per cohort)."""
    return _load("nudges.services.reports.Reports")(
        message_log(), adviser_views(), candidate_directory(), applications(), interviews()
    )


@cache
def audit_log() -> AuditLog:
    """Every adviser action, kept ``AuditRetentionDays`` (not the candidates' retention)."""
    return _load("nudges.adapters.audit_log.AuditLog")(
        LazyClient("dynamodb"), config.table_name(), config.audit_retention()
    )


@cache
def adviser_actions() -> AdviserActions:
    return _load("nudges.services.adviser_actions.AdviserActions")(
        candidate_service(), outcomes(), consent_requests(), audit_log()
    )


@cache
def adviser_accounts() -> AdviserAccountService:
    """Admins manage the pool's advisers; invitations mailed through SES (``adviser_invitation``)."""
    accounts = _load("nudges.adapters.adviser_accounts.AdviserAccounts")(
        LazyClient("cognito-idp"), os.environ["ADVISER_POOL_ID"]
    )
    return _load("nudges.services.adviser_accounts.AdviserAccountService")(
        accounts,
        _repository("nudges.adapters.adviser_invitations.AdviserInvitations"),
        console_sessions(),
        _Deferred(_email),
        audit_log(),
        config.branding().operator_name,
        config.default_locale,
        _repository("nudges.adapters.admin_roster.AdminRoster"),
    )


@cache
def join_code_actions() -> JoinCodeActions:
    """Join codes from the console, through the operator API's own ``signup()``."""
    return _load("nudges.services.join_code_actions.JoinCodeActions")(signup(), candidate_directory(), audit_log())


@cache
def adviser_candidate_actions() -> AdviserCandidateActions:
    """The console's add, import, edit and hand-added interviews (nudges.console_candidates)."""
    return _load("nudges.services.adviser_candidate_actions.AdviserCandidateActions")(
        candidate_service(), hand_interviews(), audit_log()
    )
