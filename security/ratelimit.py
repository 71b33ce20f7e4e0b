"""Per-connection rate limits: a token bucket for frames and a strike counter for abuse.

Both classes are pure: the caller passes the clock in (``loop.time()`` or
``time.monotonic()``, never wall-clock time, which can jump), so they are tested without
sleeping and kept per WebSocket connection without locks.

The defaults come from the protocol: visitors get ``10/20`` (10 frames per second sustained,
bursts of 20), a console ``100/200``. A frame over the limit is refused with
``rate_limited``; a client that keeps going after that is closed with 1008.
"""

from __future__ import annotations

import math
import re
from collections import deque

__all__ = [
    "ABUSE_REFUSALS",
    "ABUSE_WINDOW_SECS",
    "MAX_BURST",
    "MAX_RATE_PER_SEC",
    "RateFormatError",
    "StrikeCounter",
    "TokenBucket",
    "parse_rate",
]

#: Highest rate :func:`parse_rate` accepts, in frames per second; more is a typo, not a limit.
MAX_RATE_PER_SEC = 100_000.0
#: Highest burst :func:`parse_rate` accepts, in frames.
MAX_BURST = 1_000_000
#: Refusals within :data:`ABUSE_WINDOW_SECS` beyond which a connection is abusive. A client
#: that merely bursts a little gets a few ``rate_limited`` errors and slows down; 51 refusals
#: in 10 s means more than 5 extra frames a second ignored the errors for 10 seconds.
ABUSE_REFUSALS = 50
#: Length of the window over which refusals are counted, in seconds.
ABUSE_WINDOW_SECS = 10.0

# Plain ASCII decimals only: float() would also take "inf", "nan", "1e3", "1_0" and "٣".
_RATE_PATTERN = re.compile(r"\s*(\d{1,9}(?:\.\d{1,9})?)\s*/\s*(\d{1,9})\s*", re.ASCII)


class _RateLimitError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class RateFormatError(_RateLimitError, ValueError):
    """A rate setting is not ``RATE/BURST`` with a positive rate and burst in range."""


def parse_rate(text: str) -> tuple[float, int]:
    """Parse a rate setting such as ``FRISTAD_VISITOR_RATE``.

    Args:
        text: ``RATE/BURST``, e.g. ``"10/20"`` or ``"0.5/3"``: RATE frames per second
            sustained (a decimal), BURST frames at once (a whole number). Whitespace around
            either part is ignored.

    Raises:
        RateFormatError: If the text has another shape, or RATE is not in
            (0, :data:`MAX_RATE_PER_SEC`], or BURST is not in [1, :data:`MAX_BURST`].
            The message quotes the text: a rate is not a secret, and the operator needs to
            see the typo.

    Returns:
        ``(rate_per_sec, burst)``.
    """
    match = _RATE_PATTERN.fullmatch(text)
    if match is None:
        raise RateFormatError(f'expected "RATE/BURST" such as "10/20", got {text!r}')
    rate, burst = float(match[1]), int(match[2])
    if not 0 < rate <= MAX_RATE_PER_SEC:
        raise RateFormatError(f"expected a rate in (0, {MAX_RATE_PER_SEC:g}], got {rate:g}")
    if not 1 <= burst <= MAX_BURST:
        raise RateFormatError(f"expected a burst in [1, {MAX_BURST}], got {burst}")
    return rate, burst


class TokenBucket:
    """A token bucket: ``burst`` tokens, refilled at ``rate`` tokens per second.

    It starts full, so a fresh connection may send ``burst`` frames at once.

    Args:
        rate: Tokens added per second; the sustained frame rate.
        burst: Capacity of the bucket; the most frames allowed back to back.

    Raises:
        ValueError: If ``rate`` is not a positive finite number or ``burst`` is below 1.
    """

    __slots__ = ("_last", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: int) -> None:
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"expected a positive finite rate, got {rate!r}")
        if burst < 1:
            raise ValueError(f"expected a burst of at least 1, got {burst!r}")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._last: float | None = None

    def allow(self, now: float, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens if there are enough.

        Args:
            now: The current time from a monotonic clock, in seconds. If it goes backwards,
                nothing is refilled (rather than tokens being taken away).
            cost: Tokens this action needs; more than ``burst`` is never allowed.

        Raises:
            ValueError: If ``cost`` is negative, which would fill the bucket.

        Returns:
            True if allowed (the tokens are spent), False if not (nothing is spent, so a
            client that waits recovers at the full rate).
        """
        if cost < 0:
            raise ValueError(f"expected a cost of at least 0, got {cost!r}")
        if self._last is not None and now > self._last:
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
        if self._last is None or now > self._last:
            self._last = now
        if cost <= self._tokens:
            self._tokens -= cost
            return True
        return False


class StrikeCounter:
    """Counts recent refusals to tell a client that bursts from one that will not stop.

    Memory is bounded: at most ``limit + 1`` timestamps are kept.

    Args:
        limit: Refusals tolerated within ``window_secs``; one more is persistent abuse.
        window_secs: How far back refusals count, in seconds.
    """

    __slots__ = ("_refusals", "limit", "window_secs")

    def __init__(self, limit: int = ABUSE_REFUSALS, window_secs: float = ABUSE_WINDOW_SECS) -> None:
        if limit < 0:
            raise ValueError(f"expected a limit of at least 0, got {limit!r}")
        if not window_secs > 0:
            raise ValueError(f"expected a positive window, got {window_secs!r}")
        self.limit = limit
        self.window_secs = window_secs
        # Made on the first refusal: most connections never have one (memory per socket).
        self._refusals: deque[float] | None = None

    def record(self, allowed: bool, now: float) -> bool:
        """Record the outcome of one rate-limit check.

        Args:
            allowed: What :meth:`TokenBucket.allow` returned for this frame.
            now: The same monotonic time that was given to the bucket, in seconds.

        Returns:
            True if more than ``limit`` refusals happened within the last ``window_secs``:
            the endpoint should close the connection with 1008 (policy violation).
        """
        refusals = self._refusals
        if refusals is None:
            if allowed:
                return False
            refusals = self._refusals = deque(maxlen=self.limit + 1)
        while refusals and refusals[0] <= now - self.window_secs:
            refusals.popleft()
        if not allowed:
            refusals.append(now)
        return len(refusals) > self.limit
