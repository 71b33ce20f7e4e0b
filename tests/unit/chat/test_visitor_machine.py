"""The visitor's session machine: frames in, effects out; no loop, no Redis, no socket."""

from __future__ import annotations

import pytest

from chat.domain.protocol import ChatState
from chat.domain.visitor_machine import (
    AckNotice,
    EndChat,
    Enqueue,
    IllegalTransitionError,
    OpenChat,
    PublishAway,
    PublishTyping,
    SaveSurvey,
    Send,
    StoreMessage,
    VisitorMachine,
)
from chat.wire.inbound import (
    Away,
    End,
    Exit,
    FrameError,
    Hello,
    NoticeAck,
    Survey,
    Typing,
    VisitorMsg,
)

MINOR = Hello("youth", "sv", "under18")
ADULT = Hello("youth", "sv", "18plus")
NOW = 1000.0


def _error(code: str) -> Send:
    return Send({"type": "error", "code": code})


def test_a_minor_opens_in_notice_and_is_queued_after_the_acknowledgement() -> None:
    machine = VisitorMachine()
    assert machine.receive(MINOR, NOW) == [OpenChat(MINOR, ChatState.NOTICE)]
    assert machine.receive(VisitorMsg("m1", "hej"), NOW) == [_error("notice_required")]
    assert machine.receive(NoticeAck("reporting-duty"), NOW) == [AckNotice(), Enqueue()]
    assert machine.state is ChatState.WAITING


def test_an_adult_is_queued_at_once_and_never_asked_for_the_notice() -> None:
    machine = VisitorMachine()
    assert machine.receive(ADULT, NOW) == [OpenChat(ADULT, ChatState.WAITING), Enqueue()]
    # An acknowledgement nobody asked for is harmless (protocol.md): no move, no effect.
    assert machine.receive(NoticeAck("reporting-duty"), NOW) == []
    assert machine.state is ChatState.WAITING


def test_joined_or_queued_before_the_notice_is_acknowledged_is_illegal() -> None:
    for event in ({"type": "joined", "counsellor": "Anna"}, {"type": "queued", "position": 1}):
        machine = VisitorMachine(ChatState.NOTICE)
        with pytest.raises(IllegalTransitionError, match=r"expected one of .*, got 'notice'"):
            machine.deliver(event, NOW)
        assert machine.state is ChatState.NOTICE


def test_before_hello_a_message_is_refused_and_leaving_does_nothing() -> None:
    machine = VisitorMachine()
    assert machine.receive(VisitorMsg("m1", "hej"), NOW) == [_error("no_chat")]
    assert machine.receive(Exit(), NOW) == []
    assert machine.receive(Typing(), NOW) == []
    assert machine.state is None


def test_a_waiting_visitors_messages_are_stored_and_typing_goes_nowhere() -> None:
    machine = VisitorMachine(ChatState.WAITING)
    assert machine.receive(VisitorMsg("m1", "hej"), NOW) == [StoreMessage("m1", "hej")]
    assert machine.receive(Typing(), NOW) == []
    assert machine.receive(ADULT, NOW) == [_error("chat_open")]


def test_joined_makes_the_chat_active_and_is_passed_on() -> None:
    machine = VisitorMachine(ChatState.WAITING)
    joined = {"type": "joined", "counsellor": "Anna"}
    assert machine.deliver(joined, NOW) == [Send(joined)]
    assert machine.state is ChatState.ACTIVE
    assert machine.receive(Typing(), NOW) == [PublishTyping()]
    assert machine.receive(Away(True), NOW) == [PublishAway(True)]
    assert machine.accepted
    # A warm transfer: a colleague's name, the chat still active.
    transferred = {"type": "joined", "counsellor": "Bilal"}
    assert machine.deliver(transferred, NOW) == [Send(transferred)]
    assert machine.state is ChatState.ACTIVE


def test_a_hand_back_puts_the_chat_back_to_waiting() -> None:
    machine = VisitorMachine(ChatState.ACTIVE)
    queued = {"type": "queued", "position": 1, "eta_s": None}
    assert machine.deliver(queued, NOW) == [Send(queued)]
    assert machine.state is ChatState.WAITING


@pytest.mark.parametrize(("frame", "how"), [(End(), "end"), (Exit(), "exit")])
def test_leaving_ends_the_chat_once(frame: End | Exit, how: str) -> None:
    machine = VisitorMachine(ChatState.ACTIVE)
    assert machine.receive(frame, NOW) == [EndChat(how)]  # type: ignore[arg-type]
    assert machine.state is ChatState.ENDED
    assert machine.ended_at == NOW
    assert machine.receive(frame, NOW + 1) == []
    assert machine.receive(VisitorMsg("m2", "still here?"), NOW) == [_error("chat_ended")]


def test_the_survey_comes_after_the_end_and_once() -> None:
    machine = VisitorMachine(ChatState.ACTIVE)
    answers: dict[str, str | int] = {"helped": 4}
    assert machine.receive(Survey(answers), NOW) == [_error("no_survey")]
    machine.deliver({"type": "ended", "by": "counsellor"}, NOW)
    assert machine.receive(Survey(answers), NOW) == [
        SaveSurvey({"helped": "4"}),  # as counted: the survey's own strings
        Send({"type": "survey_received"}),
    ]
    assert machine.receive(Survey(answers), NOW) == [_error("no_survey")]


def test_nothing_is_delivered_after_the_end_or_before_a_chat() -> None:
    ended = VisitorMachine(ChatState.ENDED)
    with pytest.raises(IllegalTransitionError, match="expected an open chat, got 'ended'"):
        ended.deliver({"type": "msg", "seq": 1}, NOW)
    with pytest.raises(IllegalTransitionError, match="got 'none'"):
        VisitorMachine().deliver({"type": "joined"}, NOW)


def test_a_new_hello_after_the_end_opens_a_new_chat() -> None:
    machine = VisitorMachine(ChatState.ENDED)
    machine.survey_done = True
    assert machine.receive(ADULT, NOW) == [OpenChat(ADULT, ChatState.WAITING), Enqueue()]
    assert machine.survey_done is False
    assert machine.ended_at is None


def test_what_the_store_says_moves_the_machine_too() -> None:
    resumed = VisitorMachine()
    resumed.resumed(ChatState.WAITING, accepted=True)  # handed back after a counsellor had it
    assert (resumed.state, resumed.accepted) == (ChatState.WAITING, True)
    with pytest.raises(IllegalTransitionError, match="got 'ended'"):
        VisitorMachine().resumed(ChatState.ENDED, accepted=False)

    refused = VisitorMachine()
    refused.receive(ADULT, NOW)
    refused.admitted(False, NOW)  # closed or full
    assert (refused.state, refused.ended_at) == (ChatState.ENDED, NOW)
    queued = VisitorMachine()
    queued.receive(ADULT, NOW)
    queued.admitted(True, NOW)
    assert queued.state is ChatState.WAITING

    timed_out = VisitorMachine(ChatState.ACTIVE)
    timed_out.store_ended(NOW)
    assert timed_out.state is ChatState.ENDED
    timed_out.store_ended(NOW + 5)  # over already: the first end stands
    assert timed_out.ended_at == NOW

    blocked = VisitorMachine(ChatState.ACTIVE)
    blocked.forget()
    assert blocked.state is None
    assert not blocked.is_open()
    assert blocked.receive(VisitorMsg("m1", "hej"), NOW) == [_error("no_chat")]


def test_a_survey_with_answers_not_the_surveys_is_refused_and_can_be_sent_again() -> None:
    machine = VisitorMachine(ChatState.ENDED)
    with pytest.raises(FrameError):
        machine.receive(Survey({"helped": 9}), NOW)
    assert machine.receive(Survey({"felt_safe": "yes"}), NOW)[0] == SaveSurvey({"felt_safe": "yes"})
