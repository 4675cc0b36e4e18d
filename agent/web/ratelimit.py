"""A small per-address limit on token minting.

Every token starts a worker job (speech models, a CPU core), so an unthrottled
endpoint lets one client exhaust the workers. The table of addresses is
bounded: when full, the address seen least recently is forgotten, so a flood
of spoofed addresses costs memory proportional to the bound, not the flood.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    """Sliding-window counter: at most ``limit`` hits per ``window_s`` per key."""

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window_s <= 0 or max_keys < 1:
            raise ValueError("limit, window_s and max_keys must be positive")
        self._limit = limit
        self._window = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    def allow(self, key: str) -> bool:
        """Record a hit for ``key`` and say whether it is within the limit."""
        now = self._clock()
        hits = self._hits.pop(key, None)
        if hits is None:
            hits = deque(maxlen=self._limit)
        while hits and now - hits[0] >= self._window:
            hits.popleft()
        allowed = len(hits) < self._limit
        if allowed:
            hits.append(now)
        self._hits[key] = hits  # most recently seen last
        while len(self._hits) > self._max_keys:
            self._hits.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may mint again (0 when it may now)."""
        hits = self._hits.get(key)
        if not hits or len(hits) < self._limit:
            return 0.0
        return max(0.0, self._window - (self._clock() - hits[0]))
