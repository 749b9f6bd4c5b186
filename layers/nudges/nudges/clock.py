"""The one place the service asks what time it is.

Lambda reads the real clock. The local stack installs its virtual clock with
``set_source`` so that schedules, quiet hours and signature windows all agree on "now".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current instant, always timezone-aware (UTC)."""
    if _source is None:
        return datetime.now(UTC)
    return _source().astimezone(UTC)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (``None`` restores the real one)."""
    global _source
    _source = source
