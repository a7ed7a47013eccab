"""Snowflake ids: they increase, never repeat (across threads, or within a busy
millisecond), carry their node and their time."""

from __future__ import annotations

import threading
import time

import pytest

from roost.core import ids
from roost.core.ids import (
    MAX_NODE,
    SEQUENCE_BITS,
    SnowflakeGenerator,
    id_to_unix_ms,
    lowest_id_at,
)


def test_ids_increase() -> None:
    generator = SnowflakeGenerator(3)
    made = [generator.next_id() for _ in range(10_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(0 < i < 1 << 63 for i in made)  # fits a signed BIGINT


def test_ids_are_unique_across_threads() -> None:
    generator = SnowflakeGenerator(5)
    made: list[list[int]] = [[] for _ in range(4)]

    def take(into: list[int]) -> None:
        for _ in range(5_000):
            into.append(generator.next_id())

    threads = [threading.Thread(target=take, args=(into,)) for into in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for into in made for i in into]
    assert len(set(every)) == 20_000
    assert all(into == sorted(into) for into in made)  # each thread saw them increase


def test_an_id_carries_its_node_and_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = SnowflakeGenerator(MAX_NODE).next_id()
    after = time.time_ns() // 1_000_000
    assert (made >> SEQUENCE_BITS) & MAX_NODE == MAX_NODE
    assert before <= id_to_unix_ms(made) <= after


def test_lowest_id_at_round_trips_with_id_to_unix_ms() -> None:
    made = SnowflakeGenerator(7).next_id()
    at = id_to_unix_ms(made)
    assert id_to_unix_ms(lowest_id_at(at)) == at
    # Every id of that millisecond (any node, any sequence) is at or above it, and
    # below the lowest id of the next one: the floor a time-bounded query needs.
    assert lowest_id_at(at) <= made < lowest_id_at(at + 1)
    assert lowest_id_at(0) == 0  # before the epoch: no negative floor


@pytest.mark.parametrize("node", [-1, MAX_NODE + 1])
def test_a_node_outside_the_range_is_refused(node: int) -> None:
    with pytest.raises(ValueError):
        SnowflakeGenerator(node)


def test_two_nodes_in_the_same_millisecond_make_different_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ids, "_now_ms", lambda: 1_700_000_000_000)
    assert SnowflakeGenerator(1).next_id() != SnowflakeGenerator(2).next_id()


def test_a_full_millisecond_waits_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """4096 ids fit in a millisecond; the next one is made in the following one."""
    start = 1_700_000_000_000
    calls = 0

    def clock() -> int:
        nonlocal calls
        calls += 1
        return start if calls <= 1 << SEQUENCE_BITS else start + 1

    monkeypatch.setattr(ids, "_now_ms", clock)
    generator = SnowflakeGenerator(1)
    made = [generator.next_id() for _ in range((1 << SEQUENCE_BITS) + 1)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert id_to_unix_ms(made[-2]) == start
    assert id_to_unix_ms(made[-1]) == start + 1


def test_a_clock_stepping_back_does_not_make_ids_go_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readings = iter([1_700_000_000_500, 1_700_000_000_000, 1_700_000_000_001])
    monkeypatch.setattr(ids, "_now_ms", lambda: next(readings))
    generator = SnowflakeGenerator(1)
    made = [generator.next_id() for _ in range(3)]
    assert made == sorted(made) and len(set(made)) == 3
