"""Hot GSI keys spread over a bounded number of shards (docs/scale.md): every registration and
every calendar watch used to share one partition's 1,000 writes a second."""

from __future__ import annotations

from collections import Counter

from nudges.adapters import keys


def test_a_shard_is_stable_and_bounded() -> None:
    assert keys.shard(keys.CANDIDATES, "c_1") == keys.shard(keys.CANDIDATES, "c_1")
    names = {keys.shard(keys.CANDIDATES, f"c_{n}") for n in range(1000)}
    assert names == {f"CANDIDATES#{n}" for n in range(keys.SHARDS)}


def test_items_spread_evenly() -> None:
    counts = Counter(keys.shard(keys.RENEWAL, f"google#cal{n}") for n in range(8000))
    assert len(counts) == keys.SHARDS
    assert max(counts.values()) < 1.2 * 8000 / keys.SHARDS


def test_readers_ask_every_shard_and_the_bare_key() -> None:
    assert keys.shards(keys.RENEWAL) == (*(f"CALENDAR_WATCH#{n}" for n in range(keys.SHARDS)), "CALENDAR_WATCH")
