"""Gives every logged message written before the messages report's index its GSI2 keys, once:
`make backfill-message-months STACK=<name>` (or `--table NAME`; AWS_ENDPOINT_URL for a local endpoint).

The index (``GSI2``: ``MESSAGES#<yyyy-mm>#<shard>`` / ``<sent>#<ns>#<msg id>``) holds the
messages the log writes from now on; DynamoDB indexes an existing item only if it carries the
index's keys, so a stack upgraded from before the index reports its older messages only after
this. It Scans the table once for message items without ``GSI2PK`` (the only Scan anywhere, run
by the operator with their own credentials; the functions' roles have no Scan) and sets the keys
each would have been written with. Safe to stop and run again: an item that has its keys is left
alone (the update's condition), so a second run changes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "layers" / "nudges"))

from nudges.adapters import keys  # noqa: E402
from nudges.timefmt import parse_iso  # noqa: E402


def backfill(ddb: Any, table: str) -> tuple[int, int]:
    """(messages given their keys now, messages that had them already or changed meanwhile)."""
    from botocore.exceptions import ClientError

    done = skipped = 0
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "begins_with(SK, :message) AND attribute_not_exists(GSI2PK)",
        "ExpressionAttributeValues": {":message": {"S": keys.MESSAGE_PREFIX}},
        "ProjectionExpression": "PK, SK, sent_at, provider_message_id",
    }
    while True:
        page = ddb.scan(**request)
        for item in page.get("Items", []):
            if not str(item["PK"]["S"]).startswith(keys.CANDIDATE_PREFIX) or "sent_at" not in item:
                continue
            sk = item["SK"]["S"]
            try:
                ddb.update_item(
                    TableName=table,
                    Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET GSI2PK = :month, GSI2SK = :order",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(GSI2PK)",
                    ExpressionAttributeValues={
                        ":month": {
                            "S": keys.message_month(parse_iso(item["sent_at"]["S"]), item["provider_message_id"]["S"])
                        },
                        ":order": {"S": sk.removeprefix(keys.MESSAGE_PREFIX)},
                    },
                )
                done += 1
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                skipped += 1
        if not page.get("LastEvaluatedKey"):
            return done, skipped
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def table_name(session: Any, stack: str) -> str:
    cfn = session.client("cloudformation", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "NudgesTableName")


def main(argv: list[str] | None = None) -> int:
    import boto3

    from scripts.aws_env import aws_region

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--stack", default=os.environ.get("STACK", "interview-nudges"), help="CloudFormation stack")
    parser.add_argument("--table", help="the table's name (instead of the stack's NudgesTableName output)")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=aws_region())
    table = args.table or table_name(session, args.stack)
    done, skipped = backfill(session.client("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")), table)
    print(f"{done} messages given their month keys; {skipped} had them already")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
