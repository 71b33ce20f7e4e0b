"""The chat's states and gates, without a socket or a loop."""

from __future__ import annotations

import pytest

from chat.domain.protocol import (
    ChatEvent,
    ChatState,
    IllegalTransitionError,
    QueuedUpdateThrottle,
    SeqTracker,
    departure_interval_secs,
    estimate_wait_secs,
    initial_state,
    needs_notice,
    return_code_allowed,
    session_info,
    transition,
    visitor_msg_refusal,
    wait_for_position,
)
from chat.wire.outbound import session_wire


class TestTransitions:
    def test_the_happy_path(self) -> None:
        state = initial_state("under18")
        assert state is ChatState.NOTICE
        state = transition(state, ChatEvent.ACK_NOTICE)
        assert state is ChatState.WAITING
        state = transition(state, ChatEvent.ACCEPT)
        assert state is ChatState.ACTIVE
        state = transition(state, ChatEvent.REQUEUE)
        assert state is ChatState.WAITING
        assert transition(state, ChatEvent.END) is ChatState.ENDED

    def test_adults_skip_the_notice(self) -> None:
        assert initial_state("18plus") is ChatState.WAITING

    @pytest.mark.parametrize("event", list(ChatEvent))
    def test_nothing_leaves_ended(self, event: ChatEvent) -> None:
        with pytest.raises(IllegalTransitionError, match="got 'ended'"):
            transition(ChatState.ENDED, event)

    def test_accept_needs_waiting(self) -> None:
        with pytest.raises(
            IllegalTransitionError, match=r"expected one of \['waiting'\], got 'notice'"
        ):
            transition(ChatState.NOTICE, ChatEvent.ACCEPT)


class TestNoticeGate:
    @pytest.mark.parametrize(
        ("age", "expected"), [("under18", True), ("unsaid", True), ("18plus", False)]
    )
    def test_who_must_acknowledge(self, age: str, expected: bool) -> None:
        assert needs_notice(age) is expected  # type: ignore[arg-type]  # wire ages as strings

    def test_message_before_ack_is_refused(self) -> None:
        assert visitor_msg_refusal(ChatState.NOTICE) == "notice_required"

    def test_messages_while_waiting_are_kept(self) -> None:
        assert visitor_msg_refusal(ChatState.WAITING) is None
        assert visitor_msg_refusal(ChatState.ACTIVE) is None

    def test_no_chat_and_ended(self) -> None:
        assert visitor_msg_refusal(None) == "no_chat"
        assert visitor_msg_refusal(ChatState.ENDED) == "chat_ended"


class TestSessions:
    def test_numbering_and_cap(self) -> None:
        assert session_wire(session_info(0, 5)) == {"number": 1, "cap": 5, "over_cap": False}
        assert session_info(4, 5).over_cap is False
        assert session_wire(session_info(5, 5)) == {"number": 6, "cap": 5, "over_cap": True}


class TestEta:
    def test_no_estimate_without_enough_recent_accepts(self) -> None:
        assert estimate_wait_secs(3, [100.0, 200.0], now=300.0) is None
        assert estimate_wait_secs(3, [1.0, 2.0, 3.0], now=10_000.0) is None

    def test_estimate_scales_with_position(self) -> None:
        accepts = [0.0, 60.0, 120.0, 180.0]
        first = estimate_wait_secs(1, accepts, now=240.0)
        third = estimate_wait_secs(3, accepts, now=240.0)
        assert first is not None
        assert third is not None
        assert third == pytest.approx(3 * first, abs=1)

    def test_handling_time_and_counsellors_online_give_a_basis(self) -> None:
        # No accepts in the last hour, but three chats were each held ten minutes and two
        # counsellors are online: one comes free every five minutes.
        handled = [600.0, 600.0, 600.0]
        assert estimate_wait_secs(1, [], now=0.0, handling_secs=handled) is None
        assert estimate_wait_secs(
            2, [], now=0.0, handling_secs=handled, counsellors_online=2
        ) == pytest.approx(600, abs=1)

    def test_the_faster_measure_wins(self) -> None:
        # Accepts came every 20 minutes (a quiet hour: they waited for arrivals), while the
        # one counsellor online held each chat five minutes.
        accepts = [0.0, 1200.0, 2400.0]
        slow = departure_interval_secs(accepts, now=3600.0)
        both = departure_interval_secs(
            accepts, now=3600.0, handling_secs=[300.0] * 3, counsellors_online=1
        )
        assert slow == pytest.approx(1200.0)
        assert both == pytest.approx(300.0)

    def test_too_few_handling_samples_are_no_basis(self) -> None:
        assert (
            departure_interval_secs([], 0.0, handling_secs=[60.0, 60.0], counsellors_online=3)
            is None
        )

    def test_no_estimate_before_the_front(self) -> None:
        assert wait_for_position(0, 10.0) is None
        assert wait_for_position(1, None) is None
        assert wait_for_position(1, 0.2) == 1  # never "0 seconds"


class TestQueuedThrottle:
    def test_only_changes_and_at_most_once_a_second(self) -> None:
        throttle = QueuedUpdateThrottle()
        assert throttle.due(3, now=0.0)
        throttle.sent(3, now=0.0)
        assert not throttle.due(3, now=5.0)  # unchanged
        assert not throttle.due(2, now=0.5)  # too soon
        assert throttle.due(2, now=1.0)


class TestSeqTracker:
    def test_marks_and_watermark(self) -> None:
        tracker = SeqTracker()
        tracker.mark(2)
        assert tracker.missing_below(3) == [1]
        tracker.mark(1)
        assert tracker.watermark == 2
        assert tracker.seen(1)
        assert tracker.seen(2)
        assert not tracker.seen(3)

    def test_resume_starts_from_last_seq(self) -> None:
        tracker = SeqTracker(watermark=7)
        assert tracker.seen(7)
        assert tracker.missing_below(10) == [8, 9]


def test_return_code_window() -> None:
    assert return_code_allowed(ChatState.ACTIVE, None, now=0.0)
    assert return_code_allowed(ChatState.ENDED, ended_at=0.0, now=600.0)
    assert not return_code_allowed(ChatState.ENDED, ended_at=0.0, now=601.0)
