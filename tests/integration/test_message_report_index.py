"""The messages report's read against DynamoDB (a moto server) with the template's own table and
indexes: a period is read from GSI2 (one Query a shard of each month), messages outside it are
not, and a status an event moves on is what the report counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_stack.template import load_template
from nudges.adapters import keys
from nudges.adapters.message_log import MessageLog
from nudges.domain.deliveries import LoggedMessage, SentMessage

TABLE = "report-test"
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.fixture(scope="module")
def client():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    table = load_template(TEMPLATE)["Resources"]["NudgesTable"]["Properties"]
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
    )
    yield ddb
    server.stop()


def test_a_period_is_read_from_its_months_only_and_counts_each_status(client):
    log = MessageLog(client, TABLE, timedelta(days=180))
    base = datetime(2031, 1, 30, 12, tzinfo=UTC)
    sent = [
        ("c_1", "welcome", "email", base - timedelta(days=40)),  # December: outside
        ("c_1", "research_prompt", "email", base),  # 30 January
        ("c_2", "research_prompt", "sms", base + timedelta(days=2)),  # 1 February
        ("c_2", "thank_you", "email", base + timedelta(days=3)),
        ("c_3", "thank_you", "email", datetime(2031, 2, 28, 23, 59, 59, tzinfo=UTC)),  # the last second
        ("c_3", "thank_you", "email", datetime(2031, 3, 1, tzinfo=UTC)),  # the end: excluded
    ]
    for n, (candidate, kind, channel, at) in enumerate(sent):
        log.record(LoggedMessage(candidate, kind, channel, f"msg-{n}", at), candidate_expires_at=0)
    log.set_status("msg-1", "delivered", base + timedelta(minutes=1))
    log.set_status("msg-3", "bounced", base + timedelta(days=3, minutes=1))

    found = log.sent_between(datetime(2031, 1, 15, tzinfo=UTC), datetime(2031, 3, 1, tzinfo=UTC))
    assert found == Counter(
        [
            SentMessage("research_prompt", "email", "delivered"),
            SentMessage("research_prompt", "sms", "sent"),
            SentMessage("thank_you", "email", "bounced"),
            SentMessage("thank_you", "email", "sent"),
        ]
    )
    # Each message sits under its UTC month, on a shard of it; the index holds only what a report reads.
    assert {i["IndexName"] for i in client.describe_table(TableName=TABLE)["Table"]["GlobalSecondaryIndexes"]} == {
        "GSI1",
        keys.GSI2,
    }
    item = client.query(
        TableName=TABLE,
        IndexName=keys.GSI2,
        KeyConditionExpression="GSI2PK = :m",
        ExpressionAttributeValues={":m": {"S": keys.message_month(base, "msg-1")}},
    )["Items"]
    assert [i["kind"]["S"] for i in item] == ["research_prompt"]
    assert set(item[0]) == {"PK", "SK", "GSI2PK", "GSI2SK", "kind", "channel", "status"}
    # A period of one day in another zone: midnight to midnight there.
    tokyo_day = log.sent_between(
        datetime(2031, 2, 1, tzinfo=UTC) - timedelta(hours=9), datetime(2031, 2, 1, 15, tzinfo=UTC)
    )
    assert tokyo_day == Counter([SentMessage("research_prompt", "sms", "sent")])


def test_messages_logged_before_the_index_are_backfilled_once(client):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from scripts.backfill_message_months import backfill

    log = MessageLog(client, TABLE, timedelta(days=180))
    old = datetime(2029, 6, 10, 8, tzinfo=UTC)
    log.record(LoggedMessage("c_9", "welcome", "email", "old-1", old), candidate_expires_at=0)
    log.record(LoggedMessage("c_9", "research_prompt", "sms", "old-2", old), candidate_expires_at=0)
    # As a message log from before the index wrote them: no GSI2 keys
    for item in client.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "CANDIDATE#c_9"}},
    )["Items"]:
        client.update_item(
            TableName=TABLE, Key={"PK": item["PK"], "SK": item["SK"]}, UpdateExpression="REMOVE GSI2PK, GSI2SK"
        )
    june = (datetime(2029, 6, 1, tzinfo=UTC), datetime(2029, 7, 1, tzinfo=UTC))
    assert log.sent_between(*june) == Counter()
    done, _ = backfill(client, TABLE)
    assert done == 2
    assert log.sent_between(*june) == Counter(
        [SentMessage("welcome", "email", "sent"), SentMessage("research_prompt", "sms", "sent")]
    )
    assert backfill(client, TABLE)[0] == 0  # a second run changes nothing
