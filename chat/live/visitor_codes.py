"""What a visitor asks of the return code and the left messages.

Functions of the visitor's socket rather than methods, so the socket's module keeps to the
chat itself. Each code check costs an argon2id run (~0.1 s of CPU), so they are counted per
connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from chat.domain import limits
from chat.domain.protocol import return_code_allowed
from chat.operations.continuity import HeldCode, left_message_frame
from chat.operations.events import ALL_STAFF
from chat.wire import outbound as frames
from chat.wire.inbound import ForgetCode, LeaveMessage, ReadReplies

if TYPE_CHECKING:
    from chat.live.visitor_socket import VisitorSocket

# Each code check costs an argon2id run (~0.1 s of CPU): bound them per connection.
MAX_CODE_CHECKS_PER_CONNECTION: Final = limits.MAX_CODE_CHECKS_PER_CONNECTION


async def check_code(socket: VisitorSocket, text: str) -> HeldCode | None:
    if socket.continuity is None or socket.code_checks >= MAX_CODE_CHECKS_PER_CONNECTION:
        return None
    socket.code_checks += 1
    return await socket.continuity.find(text)


async def send_return_code(socket: VisitorSocket) -> None:
    chat = socket.chat
    if chat is None or socket.continuity is None:
        socket.send(frames.error("no_chat"))
        return
    if socket.machine.state is None or not return_code_allowed(
        socket.machine.state, socket.machine.ended_at, socket.ops.clock()
    ):
        socket.send(frames.error("too_late"))
        return
    if socket.held is None:
        socket.held = await socket.continuity.issue_for(chat, counted=socket.machine.accepted)
    used = await socket.continuity.sessions_used(socket.held)
    code = socket.continuity.display(socket.held)
    socket.send(frames.return_code(code, used, socket.ops.config.session_cap))


async def answer_code_request(
    socket: VisitorSocket, frame: ForgetCode | LeaveMessage | ReadReplies
) -> None:
    if socket.continuity is None:
        socket.send(frames.error("not_available"))
        return
    if isinstance(frame, ForgetCode):
        if socket.code_checks >= MAX_CODE_CHECKS_PER_CONNECTION:
            socket.send(frames.error("rate_limited"))
            return
        socket.code_checks += 1
        forgotten = await socket.continuity.forget(frame.code)
        if forgotten and socket.held is not None:
            socket.held = None
        socket.send(frames.code_forgotten(forgotten))
        return
    if isinstance(frame, LeaveMessage) and frame.code is None:
        code, record = await socket.continuity.codes.issue()
        held: HeldCode | None = HeldCode(code, record)
    else:
        held = await check_code(socket, frame.code or "")
    if held is None:
        socket.send(frames.error("unknown_return_code"))
        return
    if isinstance(frame, LeaveMessage):
        await socket.continuity.leave_message(held, frame.text)
        socket.send(frames.message_left(socket.continuity.display(held)))
        await socket.ops.hub.publish(frames.inbox_changed(), [ALL_STAFF])
    else:
        items = [left_message_frame(m) for m in await socket.continuity.thread(held)]
        socket.send(frames.replies(items))
