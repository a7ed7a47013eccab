"""Snowflake ids: 64-bit, time-sortable, unique across processes without coordination.

Layout (63 bits used, so the id fits a signed BIGINT):
    41 bits milliseconds since ROOST_EPOCH | 10 bits node | 12 bits sequence

The node number is leased from the database (see ``nodes.py``) so that no two
running processes share one; nobody configures it by hand.
"""

from __future__ import annotations

import threading
import time

ROOST_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
NODE_BITS = 10
SEQUENCE_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1
_SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1
_TIME_SHIFT = NODE_BITS + SEQUENCE_BITS


class SnowflakeGenerator:
    def __init__(self, node: int) -> None:
        if not 0 <= node <= MAX_NODE:
            raise ValueError(f"node must be in 0..{MAX_NODE}")
        self.node = node
        self._lock = threading.Lock()
        self._last_ms = -1
        self._sequence = 0

    def next_id(self) -> int:
        with self._lock:
            now = _now_ms()
            if now < self._last_ms:
                # The clock stepped back: keep counting on the last millisecond.
                now = self._last_ms
            if now == self._last_ms:
                self._sequence = (self._sequence + 1) & _SEQUENCE_MASK
                if self._sequence == 0:
                    while now <= self._last_ms:
                        now = _now_ms()
            else:
                self._sequence = 0
            self._last_ms = now
            return (
                ((now - ROOST_EPOCH_MS) << _TIME_SHIFT)
                | (self.node << SEQUENCE_BITS)
                | (self._sequence)
            )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def id_to_unix_ms(snowflake: int) -> int:
    return (snowflake >> _TIME_SHIFT) + ROOST_EPOCH_MS


def lowest_id_at(unix_ms: int) -> int:
    """The smallest id any node can generate at this wall-clock millisecond."""
    return max(0, unix_ms - ROOST_EPOCH_MS) << _TIME_SHIFT


_generator: SnowflakeGenerator | None = None


def install_generator(generator: SnowflakeGenerator) -> None:
    global _generator
    _generator = generator


def new_id() -> int:
    if _generator is None:
        raise RuntimeError("no snowflake node leased yet; the app's startup leases one")
    return _generator.next_id()
