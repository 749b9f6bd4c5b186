"""Two admins take each other away at the same instant, for real against DynamoDB and Cognito (a
moto server, the template's own table): each request reads the pool (two enabled admins) before
either acts, as two console requests at once can; the table's roster of enabled admins
(``adapters.admin_roster``) lets exactly one through, and the other is refused before Cognito is
called, so the pool keeps one enabled admin."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_stack import moto_speedups
from local_stack.template import load_template
from nudges.adapters.admin_roster import HELD, AdminRoster
from nudges.adapters.adviser_accounts import AdviserAccounts
from nudges.adapters.adviser_invitations import AdviserInvitations
from nudges.adapters.audit_log import AuditLog
from nudges.adapters.console_sessions import ConsoleSessions
from nudges.domain.advisers import Adviser
from nudges.errors import InvalidInput
from nudges.services.adviser_accounts import AdviserAccountService
from tests.fakes.repositories import FakeEmail

TABLE = "admins-test"
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
NOW = datetime(2032, 3, 4, 16, tzinfo=UTC)


@pytest.fixture(scope="module")
def aws():
    moto_speedups.install()  # DynamoDB's atomic conditional writes, which moto's backend lacks
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "endpoint_url": f"http://{host}:{port}",
        "region_name": "eu-west-2",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    ddb, idp = boto3.client("dynamodb", **options), boto3.client("cognito-idp", **options)
    table = load_template(TEMPLATE)["Resources"]["NudgesTable"]["Properties"]
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
    )
    yield ddb, idp
    server.stop()


def _pool_with_admins(idp, *emails: str) -> str:
    pool_id = idp.create_user_pool(PoolName=f"advisers-{len(emails)}-{emails[0]}")["UserPool"]["Id"]
    for group in ("admins", "advisers"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    for email in emails:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}],
            MessageAction="SUPPRESS",
        )
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="admins")
    return pool_id


class _BothLookFirst(AdviserAccounts):
    """The pool as each request's first look finds it, before the other acts."""

    def __init__(self, client, pool_id):
        super().__init__(client, pool_id)
        self.both_read = threading.Barrier(2)
        self.passed: set[threading.Thread] = set()

    def all(self):
        found = super().all()
        if threading.current_thread() not in self.passed:
            self.passed.add(threading.current_thread())
            self.both_read.wait(timeout=30)
        return found


def _service(ddb, accounts) -> AdviserAccountService:
    return AdviserAccountService(
        accounts,
        AdviserInvitations(ddb, TABLE),
        ConsoleSessions(ddb, TABLE),
        FakeEmail(),
        AuditLog(ddb, TABLE, timedelta(days=730)),
        "Northside Careers",
        lambda: "en-GB",
        AdminRoster(ddb, TABLE),
    )


def _actor(idp, pool_id, email) -> Adviser:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    return Adviser(sub, email, frozenset({"admins"}))


ACTS = {
    "disable": lambda service, actor, target: service.set_enabled(actor, target, False, NOW),
    "demote": lambda service, actor, target: service.set_role(actor, target, "advisers", NOW),
    "remove": lambda service, actor, target: service.remove(actor, target, NOW),
}


@pytest.mark.parametrize(("first", "second"), [("disable", "disable"), ("demote", "remove")])
def test_two_admins_taking_each_other_away_at_once_leave_one(aws, first, second):
    ddb, idp = aws
    ana, ben = f"ana-{first}-{second}@example.org", f"ben-{first}-{second}@example.org"
    pool_id = _pool_with_admins(idp, ana, ben)
    # The roster as the pool's first console action leaves it (the race is then the roster's alone)
    roster = AdminRoster(ddb, TABLE)
    admins = AdviserAccounts(idp, pool_id).all()
    assert roster.reconcile(roster.read(NOW), frozenset(a.sub for a in admins))
    accounts = _BothLookFirst(idp, pool_id)
    # Each request with its own clients, as two Lambda environments have
    services = [_service(ddb, accounts), _service(ddb, accounts)]

    def run(n: int):
        actor, target = (ana, ben) if n == 0 else (ben, ana)
        try:
            ACTS[(first, second)[n]](services[n], _actor(idp, pool_id, actor), target)
        except InvalidInput as refused:
            return refused.message
        return None

    with ThreadPoolExecutor(2) as threads:
        answers = list(threads.map(run, range(2)))
    refused = [a for a in answers if a is not None]
    assert len(refused) == 1 and "at least one admin must remain" in refused[0], answers
    left = [a for a in AdviserAccounts(idp, pool_id).all() if "admins" in a.groups and a.enabled]
    assert len(left) == 1
    # The roster says the same, and holds nobody
    after = roster.read(NOW)
    assert after.admins == {left[0].sub} and not after.changing


def test_an_admin_added_outside_the_console_is_counted_and_one_gone_outside_is_not(aws):
    ddb, idp = aws
    ana, ben, cy = "ana-outside@example.org", "ben-outside@example.org", "cy-outside@example.org"
    pool_id = _pool_with_admins(idp, ana, ben)
    service = _service(ddb, AdviserAccounts(idp, pool_id))
    service.set_enabled(_actor(idp, pool_id, ana), ben, True, NOW)  # nothing taken away: no roster read
    # Cy is made an admin in Cognito directly; Ben is disabled there
    idp.admin_create_user(UserPoolId=pool_id, Username=cy, MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=cy, GroupName="admins")
    idp.admin_disable_user(UserPoolId=pool_id, Username=ben)
    service.set_enabled(_actor(idp, pool_id, cy), ana, False, NOW)
    roster = AdminRoster(ddb, TABLE).read(NOW)
    assert roster.admins == {_actor(idp, pool_id, cy).sub}
    with pytest.raises(InvalidInput, match="last admin"):
        service.set_enabled(_actor(idp, pool_id, ana), cy, False, NOW)


def test_one_change_at_a_time_to_an_account_and_a_dead_ones_hold_lapses(aws):
    ddb, _idp = aws
    roster = AdminRoster(ddb, TABLE)
    seen = roster.read(NOW)
    assert roster.reconcile(seen, frozenset({"sub-x", "sub-y"}))
    assert roster.begin("sub-x", True, NOW) is None  # off the roster, held
    assert roster.begin("sub-x", False, NOW) == "busy"
    assert roster.begin("sub-y", True, NOW) == "last"  # x is on its way out: y stays
    assert roster.read(NOW).admins == {"sub-y"} and roster.read(NOW).changing == {"sub-x"}
    # The process died before the Cognito call: the hold lapses, the pool still has x as an admin
    later = NOW + HELD
    assert roster.read(later).changing == frozenset()
    assert roster.reconcile(roster.read(later), frozenset({"sub-x", "sub-y"}))
    assert roster.read(later).admins == {"sub-x", "sub-y"}
    assert roster.begin("sub-x", False, later) is None
    roster.undo("sub-x", left=False)
    assert roster.read(later).changing == frozenset()
