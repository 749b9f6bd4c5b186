"""The local stack's moto speed-ups keep moto's results: all-or-nothing transactions, queries."""

from __future__ import annotations

import json

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


def test_item_answers_written_as_plain_json_are_what_motos_serializer_writes(ddb, monkeypatch):
    from moto.dynamodb.responses import DynamoResult

    fast = DynamoResult.execute_result
    compared: list[str] = []

    def both(self, context):
        ours, motos = fast(self, context), fast.moto(self, context)
        assert ours[0] == motos[0] and ours[1] == motos[1], context.operation_model.name
        assert json.loads(ours[2]) == json.loads(motos[2]), context.operation_model.name
        compared.append(context.operation_model.name)
        return ours

    monkeypatch.setattr(DynamoResult, "execute_result", both)
    every_type = {
        "n": {"N": "1.50"},
        "m": {"M": {"x": {"L": [{"S": "é"}, {"NULL": True}, {"BOOL": False}]}}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bin": {"B": b"\x00\xffhi"},
    }
    key = {"PK": {"S": "plain"}, "SK": {"S": "1"}}
    for sk in ("1", "2", "3"):
        ddb.put_item(TableName="t", Item={**key, "SK": {"S": sk}, **every_type}, ReturnConsumedCapacity="TOTAL")
    old = ddb.put_item(TableName="t", Item={**key, **every_type, "n": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"]["n"] == {"N": "1.50"} and old["Attributes"]["bin"] == {"B": b"\x00\xffhi"}
    assert ddb.get_item(TableName="t", Key=key, ReturnConsumedCapacity="TOTAL")["Item"]["n"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName="t", Key={**key, "PK": {"S": "none"}})
    page = ddb.query(
        TableName="t", KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "plain"}}, Limit=2
    )
    assert page["Count"] == 2 and page["LastEvaluatedKey"] == {"PK": {"S": "plain"}, "SK": {"S": "2"}}
    counted = ddb.query(
        TableName="t",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "plain"}},
        Select="COUNT",
    )
    assert counted["Count"] == 3 and "Items" not in counted
    ddb.scan(TableName="t", Limit=2, ReturnConsumedCapacity="INDEXES")
    new = ddb.update_item(
        TableName="t",
        Key=key,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    assert new["Attributes"] == {"n": {"N": "3"}}
    batch = ddb.batch_get_item(RequestItems={"t": {"Keys": [key, {**key, "SK": {"S": "9"}}]}})
    assert [i["n"] for i in batch["Responses"]["t"]] == [{"N": "3"}] and batch["UnprocessedKeys"] == {}
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}}])
    assert got["Responses"][0]["Item"]["ss"] == {"SS": ["a", "b"]}
    gone = ddb.delete_item(TableName="t", Key=key, ReturnValues="ALL_OLD")
    assert gone["Attributes"]["n"] == {"N": "3"}
    assert {
        "PutItem",
        "GetItem",
        "Query",
        "Scan",
        "UpdateItem",
        "BatchGetItem",
        "TransactGetItems",
        "DeleteItem",
    } <= set(compared)
