"""A big invite file booked in parts (docs/reliability.md "Big calendar files"): the parts on
the invite work queue, and the file's progress item, which tells the part that finishes it so
(that part sends the one receipt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable

if TYPE_CHECKING:
    from datetime import datetime


@dataclass(frozen=True)
class FileProgress:
    parts: int
    done: frozenset[str]
    interview_ids: tuple[str, ...]

    @property
    def finished(self) -> bool:
        return len(self.done) >= self.parts


class InviteFiles(DynamoTable):
    def start(self, file_id: str, parts: int, expires_after: datetime) -> None:
        """The file's progress item, once: a retried file finds it and keeps what is done."""
        pk, sk = keys.invite_file(file_id)
        self._put(
            {"PK": pk, "SK": sk, "parts": parts, "expires_at": self._expires(expires_after)},
            ConditionExpression="attribute_not_exists(PK)",
        )

    def part_done(self, file_id: str, part: int, interview_ids: list[str]) -> FileProgress:
        """Record a part as booked (a redelivered part records nothing new); the file's progress."""
        values: dict[str, Any] = {":part": {"SS": [str(part)]}}
        update = "ADD done :part"
        if interview_ids:
            values[":ids"] = {"SS": sorted(set(interview_ids))}
            update += ", interview_ids :ids"
        answer = self._update(
            keys.invite_file(file_id),
            UpdateExpression=update,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        item = self._plain(answer["Attributes"])
        return FileProgress(
            parts=int(item.get("parts", 0)),  # (written before any part is queued)
            done=frozenset(item.get("done", set())),
            interview_ids=tuple(sorted(item.get("interview_ids", set()))),
        )


class InviteWorkQueue:
    """The invite work queue (``InviteWorkQueue`` in the template)."""

    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def send(self, bodies: list[str]) -> None:
        for start in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start : start + 10])]
            failed = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries).get("Failed") or []
            if failed:
                raise RuntimeError(f"{len(failed)} parts of an invite file were not queued")
