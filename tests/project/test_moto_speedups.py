"""The local stack's moto speed-ups keep moto's results: all-or-nothing transactions, queries."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from local_stack import moto_speedups


@pytest.fixture(scope="module")
def ddb():
    moto_speedups.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "v", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI",
                "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    yield client
    server.stop()


def put(pk: str, sk: str, **extra: str) -> dict:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}
    return {"Put": {"TableName": "t", "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}


def items(ddb) -> set[tuple[str, str, str]]:
    scan = ddb.scan(TableName="t")["Items"]
    return {(i["PK"]["S"], i["SK"]["S"], i.get("v", {}).get("S", "")) for i in scan}


def test_a_failed_transaction_changes_nothing_and_a_good_one_everything(ddb):
    ddb.transact_write_items(TransactItems=[put("a", "1", v="x"), put("b", "1", v="y")])
    before = items(ddb)
    update = {
        "Update": {
            "TableName": "t",
            "Key": {"PK": {"S": "a"}, "SK": {"S": "1"}},
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": "changed"}},
        }
    }
    with pytest.raises(ClientError) as refused:
        # The update and the new partition come first; the duplicate put fails the whole.
        ddb.transact_write_items(TransactItems=[update, put("c", "1"), put("b", "1")])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert items(ddb) == before
    ddb.transact_write_items(TransactItems=[update, put("c", "1")])
    assert items(ddb) == {("a", "1", "changed"), ("b", "1", "y"), ("c", "1", "")}


def test_queries_on_the_key_and_on_an_index_find_what_they_name_in_order(ddb):
    ddb.transact_write_items(TransactItems=[put("q", sk, v=f"g{int(sk) % 2}") for sk in ("3", "1", "2", "5", "4")])
    ddb.transact_write_items(TransactItems=[put("r", "1", v="g1"), put("s", "9", v="g0")])

    def keys(**query):
        return [(i["PK"]["S"], i["SK"]["S"]) for i in ddb.query(TableName="t", **query)["Items"]]

    on_key = {"KeyConditionExpression": "PK = :p AND SK > :s"}
    values = {":p": {"S": "q"}, ":s": {"S": "1"}}
    assert keys(**on_key, ExpressionAttributeValues=values) == [("q", "2"), ("q", "3"), ("q", "4"), ("q", "5")]
    assert keys(**on_key, ExpressionAttributeValues=values, ScanIndexForward=False)[0] == ("q", "5")
    by_index = keys(IndexName="GSI", KeyConditionExpression="v = :v", ExpressionAttributeValues={":v": {"S": "g1"}})
    assert by_index == [("q", "1"), ("r", "1"), ("q", "3"), ("q", "5")]
    assert keys(KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "nobody"}}) == []
