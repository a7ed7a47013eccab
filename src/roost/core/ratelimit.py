"""Rate limits on the actions abuse goes for: sign-in, sign-up, posting.

Backed by the ``limits`` library: in-process memory in the embedded mode,
Redis when ROOST_REDIS_URL is set (so limits hold across processes).
"""

from __future__ import annotations

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from roost.core.errors import RateLimited

RULES = {
    "login": parse("10/5 minutes"),
    "register": parse("5/30 minutes"),
    "post": parse("300/3 hours"),
    "oauth_app": parse("20/5 minutes"),
}


class RateLimiter:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, rule: str, key: str) -> None:
        """Count one ``rule`` action by ``key`` (an IP or account id); 429 past the limit."""
        if not self.enabled:
            return
        if not await self._limiter.hit(RULES[rule], rule, key):
            raise RateLimited("Too many requests")
