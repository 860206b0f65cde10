"""A small per-process token bucket per client address, for the expensive endpoints."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

MAX_CLIENTS = 10_000


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``burst`` requests at once, refilled at ``per_second``; 429 when empty."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._buckets.clear()
                bucket = self._buckets[client] = Bucket(float(self.burst), now)
            refill = (now - bucket.updated) * self.per_second
            bucket.tokens = min(self.burst, bucket.tokens + refill)
            bucket.updated = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True

    def __call__(self, request: Request) -> None:
        """FastAPI dependency."""
        client = request.client.host if request.client else "?"
        if not self.allow(client):
            raise HTTPException(
                status_code=429,
                detail="Te veel verzoeken; probeer het over een minuut opnieuw.",
                headers={"retry-after": "60"},
            )
