"""One way to reach a socket: ``EventHub.publish(frame, recipients)``.

Every frame for a visitor or a console goes through Redis pub/sub on one channel, so that it
reaches the process holding the recipient's socket, whichever that is. Each process has one
subscriber (not one per socket: measured in shared/performance.md) and fans out in memory to
the outboxes registered here. The registries live in this object, owned by ``create_app``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

import structlog

from chat.wire import fastjson

log = structlog.get_logger(__name__)

ShiftListener = Callable[[str | None, int], None]
RecipientKind = Literal["visitor", "staff", "chat", "all_staff", "queue", "signal"]
Frame = Mapping[
    str, Any
]  # read only: a TypedDict of chat/wire/server_frames.py, or JSON off pub/sub


@dataclass(frozen=True, slots=True)
class Recipient:
    kind: RecipientKind
    id: str = ""


def to_visitor(chat_id: str) -> Recipient:
    return Recipient("visitor", chat_id)


def to_staff(username: str) -> Recipient:
    return Recipient("staff", username)


def to_chat_staff(chat_id: str) -> Recipient:
    """The consoles that hold (or, for a supervisor, watch) this chat."""
    return Recipient("chat", chat_id)


ALL_STAFF: Final = Recipient("all_staff")
# Not a socket: tells every process that a queue changed, so it refreshes positions.
QUEUE_WATCHERS: Final = Recipient("queue")
# Not a socket either: a named signal every process hears (``EventHub.on_signal``).
STAFF_CHANGED: Final = "staff"  # who is online, what they hold, their limits and pauses


class Outbox(Protocol):
    def deliver(self, frame: Frame) -> None:
        """Queue a frame for the socket without blocking."""


class EventTransport(Protocol):
    async def publish(self, payload: str) -> None: ...


class EventHub:
    """Registries of local sockets plus the publish side of the shared transport."""

    def __init__(self, transport: EventTransport) -> None:
        self._transport = transport
        self._visitors: dict[str, set[Outbox]] = defaultdict(set)
        self._staff: dict[str, set[Outbox]] = defaultdict(set)
        self._chat_staff: dict[str, set[Outbox]] = defaultdict(set)
        self._queue_listeners: list[Callable[[], None]] = []
        self._shift_listeners: list[ShiftListener] = []
        self._resync_listeners: list[Callable[[], Awaitable[None]]] = []
        self._signal_listeners: dict[str, list[Callable[[], None]]] = defaultdict(list)

    # -- registries ----------------------------------------------------------------------

    def register_visitor(self, chat_id: str, outbox: Outbox) -> None:
        self._visitors[chat_id].add(outbox)

    def unregister_visitor(self, chat_id: str, outbox: Outbox) -> None:
        self._discard(self._visitors, chat_id, outbox)

    def register_staff(self, username: str, outbox: Outbox) -> None:
        self._staff[username].add(outbox)

    def unregister_staff(self, username: str, outbox: Outbox) -> None:
        self._discard(self._staff, username, outbox)

    def watch_chat(self, chat_id: str, outbox: Outbox) -> None:
        self._chat_staff[chat_id].add(outbox)

    def unwatch_chat(self, chat_id: str, outbox: Outbox) -> None:
        self._discard(self._chat_staff, chat_id, outbox)

    def on_queue_change(self, callback: Callable[[], None]) -> None:
        self._queue_listeners.append(callback)

    def on_queue_shift(self, callback: ShiftListener) -> None:
        """Called only when waiting chats' positions may have moved: ``(channel, from)``,
        every position at or behind ``from`` in ``channel``; ``(None, 1)`` for any. A chat
        arriving at the back of a queue moves nobody: waiting visitors are not asked again
        (issue 10: each arrival cost 14 ms of CPU with thousands waiting)."""
        self._shift_listeners.append(callback)

    def notify_queue_listeners(self) -> None:
        for callback in self._queue_listeners:
            callback()
        for shifted in self._shift_listeners:
            shifted(None, 1)

    def on_signal(self, name: str, callback: Callable[[], None]) -> None:
        """Called in every process when any process sends ``signal(name)``."""
        self._signal_listeners[name].append(callback)

    def on_resync(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Called after a pub/sub outage, when events may have been missed."""
        self._resync_listeners.append(callback)

    async def resync(self) -> None:
        """Everyone catches up from the store: frames published during an outage are lost."""
        self.notify_queue_listeners()
        for callback in self._resync_listeners:
            try:
                await callback()
            except Exception as exc:
                log.warning("resync_failed", error=type(exc).__name__)

    def local_visitor_chats(self) -> list[str]:
        return list(self._visitors)

    def staff_outboxes(self) -> list[Outbox]:
        return [box for boxes in self._staff.values() for box in boxes]

    @staticmethod
    def _discard(table: dict[str, set[Outbox]], key: str, outbox: Outbox) -> None:
        boxes = table.get(key)
        if boxes is None:
            return
        boxes.discard(outbox)
        if not boxes:
            del table[key]

    # -- publish and dispatch ------------------------------------------------------------

    async def publish(self, frame: Frame | None, recipients: Iterable[Recipient]) -> None:
        """Send ``frame`` to every recipient, wherever its socket is."""
        await self._transport.publish(self.encode(frame, recipients))

    @staticmethod
    def encode(frame: Frame | None, recipients: Iterable[Recipient]) -> str:
        """The payload ``publish`` sends; a store script may publish it itself."""
        return fastjson.dumps_text({"r": [[r.kind, r.id] for r in recipients], "f": frame})

    async def queue_changed(self, moved: tuple[str, int] | None = None) -> None:
        """Tell every process that a queue changed. ``moved``: (channel, position) when only
        the chats at or behind that position of that channel moved (an arrival there), with
        position 0 when no chat moved at all (a waiting visitor wrote); None: any may have."""
        await self.publish(None if moved is None else {"moved": list(moved)}, [QUEUE_WATCHERS])

    async def signal(self, name: str) -> None:
        await self.publish(None, [Recipient("signal", name)])

    def dispatch(self, payload: str | bytes) -> None:
        """Deliver one published event to the local sockets it names."""
        try:
            event = fastjson.loads(payload)
            recipients = [Recipient(kind, rid) for kind, rid in event["r"]]
            frame: Frame | None = event["f"]
        except (ValueError, KeyError, TypeError):
            log.warning("event_dropped", reason="malformed")
            return
        for recipient in recipients:
            if recipient.kind == "queue":
                for callback in self._queue_listeners:
                    callback()
                self._notify_shift(frame)
                continue
            if recipient.kind == "signal":
                for callback in self._signal_listeners.get(recipient.id, ()):
                    callback()
                continue
            if frame is None:
                continue
            for outbox in self._outboxes(recipient):
                outbox.deliver(frame)

    def _notify_shift(self, frame: Frame | None) -> None:
        channel: str | None = None
        start = 1
        moved = frame.get("moved") if frame is not None else None
        if isinstance(moved, list) and len(moved) == 2:
            channel, start = str(moved[0]), int(moved[1])
        if start <= 0:
            return
        for shifted in self._shift_listeners:
            shifted(channel, start)

    def _outboxes(self, recipient: Recipient) -> list[Outbox]:
        if recipient.kind == "visitor":
            return list(self._visitors.get(recipient.id, ()))
        if recipient.kind == "staff":
            return list(self._staff.get(recipient.id, ()))
        if recipient.kind == "chat":
            return list(self._chat_staff.get(recipient.id, ()))
        if recipient.kind == "all_staff":
            return self.staff_outboxes()
        return []


Dispatcher = Callable[[str | bytes], None]
Runner = Callable[[Dispatcher], Awaitable[None]]
