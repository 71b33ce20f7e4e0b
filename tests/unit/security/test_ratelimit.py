from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.ratelimit import (
    ABUSE_REFUSALS,
    ABUSE_WINDOW_SECS,
    MAX_BURST,
    MAX_RATE_PER_SEC,
    RateFormatError,
    StrikeCounter,
    TokenBucket,
    parse_rate,
)


class TestParseRate:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("10/20", (10.0, 20)), ("100/200", (100.0, 200)), ("0.5/3", (0.5, 3)),
         (" 10 / 20 \n", (10.0, 20)), ("1/1", (1.0, 1))],
    )  # fmt: skip
    def test_valid(self, text: str, expected: tuple[float, int]) -> None:
        assert parse_rate(text) == expected

    @pytest.mark.parametrize(
        "text",
        ["", "10", "10/", "/20", "10/20/30", "a/b", "0/20", "10/0", "-1/20", "10/-1", "10/2.5",
         "inf/20", "nan/20", "1e3/20", "1_0/20", "\u0661\u0660/\u0662\u0660",
         f"{MAX_RATE_PER_SEC * 2:.0f}/20", f"10/{MAX_BURST + 1}", "10/20 extra"],
    )  # fmt: skip
    def test_invalid(self, text: str) -> None:
        with pytest.raises(RateFormatError):
            parse_rate(text)

    def test_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="RATE/BURST"):
            parse_rate("ten")

    @given(st.text(max_size=30))
    def test_any_text_parses_or_raises_rate_format_error(self, text: str) -> None:
        try:
            rate, burst = parse_rate(text)
        except RateFormatError:
            return
        assert 0 < rate <= MAX_RATE_PER_SEC
        assert 1 <= burst <= MAX_BURST


class TestTokenBucket:
    def test_starts_full_then_refuses(self) -> None:
        bucket = TokenBucket(10, 20)
        assert all(bucket.allow(0.0) for _ in range(20))
        assert not bucket.allow(0.0)

    def test_refills_at_rate(self) -> None:
        bucket = TokenBucket(10, 20)
        for _ in range(20):
            bucket.allow(0.0)
        assert bucket.allow(0.1)  # one token after 100 ms
        assert not bucket.allow(0.1)
        assert [bucket.allow(1.1) for _ in range(11)] == [True] * 10 + [False]

    def test_refill_is_capped_at_burst(self) -> None:
        bucket = TokenBucket(10, 20)
        bucket.allow(0.0)
        assert sum(bucket.allow(3600.0) for _ in range(100)) == 20

    def test_sustained_rate_is_allowed(self) -> None:
        bucket = TokenBucket(10, 20)
        assert all(bucket.allow(i / 10) for i in range(1000))

    def test_refusal_spends_nothing(self) -> None:
        bucket = TokenBucket(1, 1)
        assert bucket.allow(0.0)
        assert not bucket.allow(0.5)
        assert bucket.allow(1.0)

    def test_clock_going_backwards_refills_nothing(self) -> None:
        bucket = TokenBucket(10, 2)
        assert bucket.allow(100.0)
        assert bucket.allow(100.0)
        assert not bucket.allow(50.0)
        assert not bucket.allow(100.0)
        assert bucket.allow(100.2)

    def test_cost(self) -> None:
        bucket = TokenBucket(10, 20)
        assert bucket.allow(0.0, cost=15)
        assert not bucket.allow(0.0, cost=6)
        assert bucket.allow(0.0, cost=5)
        assert not TokenBucket(10, 20).allow(0.0, cost=21)

    @pytest.mark.parametrize(("rate", "burst"), [(0, 20), (-1, 20), (float("inf"), 20), (10, 0)])
    def test_invalid_parameters(self, rate: float, burst: int) -> None:
        with pytest.raises(ValueError, match="expected"):
            TokenBucket(rate, burst)

    def test_negative_cost_raises(self) -> None:
        with pytest.raises(ValueError, match="cost"):
            TokenBucket(10, 20).allow(0.0, cost=-1)

    @given(
        rate=st.floats(min_value=0.1, max_value=1000),
        burst=st.integers(min_value=1, max_value=1000),
        gaps=st.lists(st.floats(min_value=0, max_value=5), max_size=200),
    )
    def test_never_allows_more_than_burst_plus_refill(
        self, rate: float, burst: int, gaps: list[float]
    ) -> None:
        bucket = TokenBucket(rate, burst)
        now = allowed = 0.0
        for gap in gaps:
            now += gap
            allowed += bucket.allow(now)
        assert allowed <= burst + rate * now + 1e-6


class TestStrikeCounter:
    def test_allowed_frames_are_never_abuse(self) -> None:
        counter = StrikeCounter()
        assert not any(counter.record(True, i / 1000) for i in range(10_000))

    def test_more_than_limit_refusals_in_window_is_abuse(self) -> None:
        counter = StrikeCounter()
        results = [counter.record(False, i * 0.01) for i in range(ABUSE_REFUSALS + 1)]
        assert results == [False] * ABUSE_REFUSALS + [True]

    def test_refusals_spread_beyond_the_window_are_not_abuse(self) -> None:
        counter = StrikeCounter()
        spacing = ABUSE_WINDOW_SECS / ABUSE_REFUSALS * 1.01
        assert not any(counter.record(False, i * spacing) for i in range(10 * ABUSE_REFUSALS))

    def test_old_refusals_expire(self) -> None:
        counter = StrikeCounter(limit=2, window_secs=10.0)
        assert not counter.record(False, 0.0)
        assert not counter.record(False, 1.0)
        assert counter.record(False, 2.0)
        assert not counter.record(False, 11.5)  # 0.0 and 1.0 have left the window

    def test_with_a_bucket_a_flooding_client_is_caught(self) -> None:
        bucket, counter = TokenBucket(10, 20), StrikeCounter()
        now, abusive = 0.0, False
        while not abusive and now < ABUSE_WINDOW_SECS:
            now += 0.01  # 100 frames a second against a limit of 10
            abusive = counter.record(bucket.allow(now), now)
        assert abusive
        assert now < 2.0

    def test_memory_is_bounded(self) -> None:
        counter = StrikeCounter(limit=5)
        for i in range(10_000):
            counter.record(False, i * 0.001)
        assert counter._refusals is not None
        assert len(counter._refusals) == 6

    @pytest.mark.parametrize(("limit", "window"), [(-1, 10.0), (5, 0.0)])
    def test_invalid_parameters(self, limit: int, window: float) -> None:
        with pytest.raises(ValueError, match="expected"):
            StrikeCounter(limit, window)
