"""Inbound mail that SES stored in S3: read a message, and delete it once it has been handled."""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # SES accepts messages up to 40 MB; invites are small


class Mailbox:
    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def read(self, bucket: str, key: str) -> bytes:
        obj = self._s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{MAX_MESSAGE_BYTES - 1}")
        return obj["Body"].read()

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)
