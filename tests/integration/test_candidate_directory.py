"""The paged candidate listing against DynamoDB (a moto server): newest first, each candidate
once even where another item carries a profile's GSI1 keys, and a cursor that only this API makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer

from nudges.adapters.candidate_directory import CandidateDirectory
from nudges.adapters.candidates import CandidateRepository
from nudges.domain.candidate import Candidate
from nudges.errors import InvalidInput

TABLE = "directory-test"


@pytest.fixture(scope="module")
def ddb():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = [("PK", "S"), ("SK", "S"), ("GSI1PK", "S"), ("GSI1SK", "S")]
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in keys],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    store = CandidateRepository(client, TABLE, timedelta(days=180))
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for i in range(7):
        store.add(  # the profile and its email pointer
            Candidate(
                candidate_id=f"c_{i:024d}",
                email=f"p{i}@example.org",
                timezone="Europe/London",
                channels=("email",),
                created_at=start + timedelta(minutes=i),
                ics_inbox_token=f"tok{i}",
            )
        )
    # A profile written before the listing key was sharded (GSI1PK = CANDIDATES, bare) is still listed.
    legacy = client.get_item(TableName=TABLE, Key={"PK": {"S": f"CANDIDATE#c_{5:024d}"}, "SK": {"S": "PROFILE"}})[
        "Item"
    ]
    client.put_item(TableName=TABLE, Item={**legacy, "GSI1PK": {"S": "CANDIDATES"}})
    # Whatever the store writes, an item elsewhere carrying a profile's index keys is not a candidate.
    copy = client.get_item(TableName=TABLE, Key={"PK": {"S": f"CANDIDATE#c_{3:024d}"}, "SK": {"S": "PROFILE"}})["Item"]
    client.put_item(TableName=TABLE, Item={**copy, "PK": {"S": "EMAIL#copy@example.org"}, "SK": {"S": "CANDIDATE"}})
    yield client, store
    server.stop()


def test_pages_list_each_candidate_once_newest_first(ddb):
    client, _ = ddb
    directory = CandidateDirectory(client, TABLE)
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = directory.page(cursor, size=3)
        pages += 1
        seen += [c.candidate_id for c in page]
        assert len(page) <= 3
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"c_{i:024d}" for i in reversed(range(7))]


def test_a_cursor_not_made_here_is_refused_naming_the_field(ddb):
    client, _ = ddb
    directory = CandidateDirectory(client, TABLE)
    for bad in ("not-a-cursor", "eyJzayI6MX0", "eyJzayI6ImEiLCJwayI6IkVNQUlMI3gifQ"):
        with pytest.raises(InvalidInput) as error:
            directory.page(bad)
        assert error.value.field == "cursor"


def test_registrations_spread_over_the_shards_and_all_lists_them_oldest_first(ddb):
    client, store = ddb
    shards = {
        client.get_item(TableName=TABLE, Key={"PK": {"S": f"CANDIDATE#c_{i:024d}"}, "SK": {"S": "PROFILE"}})["Item"][
            "GSI1PK"
        ]["S"]
        for i in range(7)
    }
    assert len(shards) > 2  # seven registrations, not one partition
    assert all(s.startswith("CANDIDATES") for s in shards)
    assert [c.candidate_id for c in store.all()] == [f"c_{i:024d}" for i in range(7)]
