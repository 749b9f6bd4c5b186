"""The virtual clock every function and delivery agrees on.

It follows real time until it is first set; from then on it stands still at the set
instant until the next set. Its state is a local control, kept in this process.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime


class VirtualClock:
    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            fixed = self._fixed
        return fixed if fixed is not None else datetime.now(UTC)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("the clock needs a timezone-aware instant")
        with self._lock:
            self._fixed = instant.astimezone(UTC)

    @property
    def is_set(self) -> bool:
        return self._fixed is not None


def parse_instant(value: object) -> datetime:
    """An ISO-8601 string with an offset (``Z`` allowed) → aware datetime; ValueError otherwise."""
    if not isinstance(value, str) or not value:
        raise ValueError("expected an ISO-8601 string with an offset")
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an ISO-8601 instant: {value!r}") from exc
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant has no UTC offset: {value!r}")
    return instant
