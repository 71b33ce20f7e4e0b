"""Colleagues and limits (protocol.md, "Console, version 1.1"): the ``staff`` frame, the
per-counsellor chat limit, ``set_limit``, warm transfer to a colleague, ``heavy`` and the
queue's ``match`` marker.

Presence and loads live in Redis, so every process builds the same ``staff`` frame; a change
anywhere is announced with the hub's ``STAFF_CHANGED`` signal and each process sends at most
one frame a second to its own consoles (and only when it differs from the last one sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Final, Protocol

import structlog

from chat.api import (
    STAFF_CHANGED,
    AtLimitError,
    Conversations,
    NotYoursError,
    running,
    to_staff,
    to_visitor,
)
from chat.core_api import ChatRecord, ChatState, FrameError, Heavy, SetLimit, frames, handover_text
from counsellor_console.domain.audit import ChatTransferred, HeavyMarked, LimitSet
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.colleagues_store import ColleaguesStore, Profile
from counsellor_console.stores.store import StaffStore
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

STAFF_FRAME_MIN_INTERVAL_SECS: Final = 1.0  # protocol.md: at most once a second
# Without any signal the frame is rebuilt this often (a crashed process's staff drop out of
# presence on their own), and sent only if it changed.
STAFF_FRAME_IDLE_SECS: Final = 5.0
# A console closed somewhere: every process re-marks its own staff online (the one that
# closed removed the name, which another process may still have a console for).
STAFF_LEFT: Final = "staff_left"


class ColleagueSocket(Protocol):
    staff: StaffIdentity
    ready: bool  # has had its own first frames

    def send(self, frame: frames.Frame) -> None: ...


class Colleagues:
    def __init__(
        self,
        ops: Conversations,
        staff_store: StaffStore,
        audit: AuditLog,
        sockets: Callable[[], Iterable[ColleagueSocket]],
    ) -> None:
        self.ops = ops
        self.staff_store = staff_store
        self.store = ColleaguesStore(staff_store.redis)
        self.audit = audit
        self.default_limit = ops.config.chat_limit
        self.pause_secs = ops.config.heavy_pause_secs
        self._sockets = sockets
        self._dirty = asyncio.Event()
        self._last_sent = ""
        self._languages: dict[str, frozenset[str]] = {}
        self._queue_frame: frames.Frame | None = None
        self._queue_langs: frozenset[str] = frozenset()
        self._variants: dict[frozenset[str], frames.Frame] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        ops.hub.on_signal(STAFF_CHANGED, self._dirty.set)
        ops.hub.on_signal(STAFF_LEFT, self._someone_left)
        ops.hub.on_resync(self._resynced)

    # -- limits --------------------------------------------------------------------------

    def limit_for(self, own: int | None) -> int:
        return self.default_limit if own is None else own

    async def limit_of(self, username: str) -> int:
        return self.limit_for(await self.store.own_limit(username))

    # -- the staff frame -----------------------------------------------------------------

    def _entry(self, profile: Profile) -> frames.Frame:
        return {
            "username": profile.username,
            "name": profile.name,
            "role": profile.role,
            "languages": list(profile.languages),
            "chats": profile.chats,
            "limit": self.limit_for(profile.own_limit),
            "paused": profile.paused,
        }

    async def staff_frame(self) -> frames.Frame:
        profiles = await self.store.profiles(await self.store.online())
        for profile in profiles:
            self._languages[profile.username] = frozenset(profile.languages)
        return frames.staff([self._entry(p) for p in profiles])

    async def joined(self, username: str) -> None:
        """A console opened (after it was marked online)."""
        self._languages[username] = frozenset(await self.store.languages(username))
        await self.ops.hub.signal(STAFF_CHANGED)

    async def left(self, username: str) -> None:
        """A console closed; ``username`` may still have others open, here or elsewhere."""
        if any(s.staff.username == username for s in self._sockets()):
            return
        self._languages.pop(username, None)
        try:
            await self.store.mark_offline(username)
            await self.ops.hub.signal(STAFF_LEFT)
            await self.ops.hub.signal(STAFF_CHANGED)
        except Exception as exc:  # presence then lapses on its own (ONLINE_WINDOW_SECS)
            log.warning("staff_left_failed", error=type(exc).__name__)

    async def _resynced(self) -> None:
        """After a pub/sub outage signals may have been missed: rebuild the frame."""
        self._dirty.set()

    def _someone_left(self) -> None:
        self._spawn(self._remark_presence())

    async def _remark_presence(self) -> None:
        names = sorted({s.staff.username for s in self._sockets()})
        if names and await self.store.mark_online(names):
            await self.ops.hub.signal(STAFF_CHANGED)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def broadcast(self) -> None:
        """One ``staff`` frame for the local consoles when it changed, at most once a second."""
        while running():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), STAFF_FRAME_IDLE_SECS)
            self._dirty.clear()
            sockets = [s for s in self._sockets() if s.ready]
            if sockets:
                try:
                    frame = await self.staff_frame()
                    text = json.dumps(frame, sort_keys=True)
                    if text != self._last_sent:
                        self._last_sent = text
                        for socket in sockets:
                            socket.send(frame)
                except Exception as exc:
                    log.warning("staff_broadcast_failed", error=type(exc).__name__)
            await asyncio.sleep(STAFF_FRAME_MIN_INTERVAL_SECS)

    # -- the queue's match marker --------------------------------------------------------

    def for_console(self, queue_frame: frames.Frame, username: str) -> frames.Frame:
        """The shared queue frame, or a copy whose items in the counsellor's languages carry
        ``"match": true``. One copy per distinct set of matching languages, however many
        consoles there are: the frame stays cheap under a surge."""
        langs = self._languages.get(username)
        if not langs:
            return queue_frame
        if self._queue_frame is not queue_frame:
            self._queue_frame = queue_frame
            self._queue_langs = frozenset(str(i.get("lang")) for i in queue_frame["items"])
            self._variants = {}
        key = langs & self._queue_langs
        if not key:
            return queue_frame
        variant = self._variants.get(key)
        if variant is None:
            items = [
                {**item, "match": True} if item.get("lang") in key else item
                for item in queue_frame["items"]
            ]
            variant = self._variants[key] = {**queue_frame, "items": items}
        return variant

    # -- console messages ----------------------------------------------------------------

    async def handle(self, socket: ColleagueSocket, frame: SetLimit | Heavy) -> None:
        if isinstance(frame, SetLimit):
            await self._set_limit(socket, frame)
        else:
            await self._heavy(socket, frame.chat)

    async def _set_limit(self, socket: ColleagueSocket, frame: SetLimit) -> None:
        if not socket.staff.can_supervise:
            socket.send(frames.error("forbidden"))
            return
        if not await self.store.set_limit(frame.username, frame.limit):
            raise FrameError("bad_field", "username")
        await self.audit.record(
            LimitSet(staff=socket.staff.username, username=frame.username, limit=frame.limit)
        )
        await self.ops.hub.signal(STAFF_CHANGED)
        log.info("limit_set", staff=socket.staff.username, username=frame.username)

    async def _heavy(self, socket: ColleagueSocket, chat_id: str) -> None:
        """The holder marks the chat heavy, while it lasts or in the minutes after its end."""
        staff = socket.staff
        chat = await self.ops.store.load_chat(chat_id)
        if (
            chat is None
            or chat.counsellor != staff.username
            or chat.state not in (ChatState.ACTIVE, ChatState.ENDED)
        ):
            socket.send(frames.error("not_yours", chat=chat_id))
            return
        paused_s = 0
        if await self.ops.store.claim_flag(chat.id, "heavy"):
            if self.pause_secs > 0:
                paused_s = self.pause_secs
                await self.store.limits.pause(staff.username, paused_s)
                asyncio.get_running_loop().call_later(
                    paused_s + 0.1, lambda: self._spawn(self.ops.hub.signal(STAFF_CHANGED))
                )
                await self.ops.hub.signal(STAFF_CHANGED)
            await self._ask_for_debrief(staff)
            await self.audit.record(
                HeavyMarked(staff=staff.username, chat=chat.id, paused_s=paused_s)
            )
            log.info("chat_heavy", chat=chat.id, staff=staff.username, paused_s=paused_s)
        socket.send(frames.heavy_noted(chat.id, paused_s))

    async def _ask_for_debrief(self, staff: StaffIdentity) -> None:
        if self.ops.floor is not None:  # /admin lists it, for a supervisor who was not online
            await self.ops.floor.debrief_asked(staff.username)
        supervisors = await self.store.supervisors(await self.store.online())
        if not supervisors:
            return
        at = frames.rfc3339(int(self.ops.clock() * 1000))
        await self.ops.hub.publish(
            frames.debrief(staff.display_name, at),
            [to_staff(name) for name in supervisors],
        )

    # -- warm transfer -------------------------------------------------------------------

    async def transfer(self, socket: ColleagueSocket, chat: ChatRecord, to: str) -> None:
        """Hand the chat to a colleague online, with its notes, unless they are at their
        limit (checked in the same Redis step as the hand-over)."""
        staff = socket.staff
        target = await self.staff_store.load_user(to)
        if (
            target is None
            or target.disabled
            or to == staff.username
            or not await self.staff_store.is_online(to)
        ):
            raise FrameError("bad_field", "to")
        store = self.ops.store
        try:
            moved_ok = await store.hand_over(
                chat, staff.username, to, target.display_name, self.limit_for(target.chat_limit)
            )
        except AtLimitError:
            socket.send(frames.error("at_limit", chat=chat.id))
            return
        if not moved_ok:
            raise NotYoursError(chat.id)
        moved = await store.load_chat(chat.id)
        if moved is None:
            raise NotYoursError(chat.id)
        await self.ops.hub.signal(STAFF_CHANGED)
        await self.ops.post_system_message(moved, handover_text(moved.lang, target.display_name))
        await self.ops.hub.publish(frames.transferred_out(chat.id, to), [to_staff(staff.username)])
        await self.audit.record(ChatTransferred(staff=staff.username, chat=chat.id, to=to))
        if self.ops.stats is not None:
            await self.ops.stats.record_handoff("colleague")
        floor = await store.message_count(chat.id)
        assigned = frames.assigned(moved, self.ops.config.session_cap)
        assigned["from"] = staff.username
        assigned["from_name"] = staff.display_name
        assigned["notes"] = await self.notes(chat.id)
        assigned["_floor"] = floor
        await self.ops.hub.publish(assigned, [to_staff(to)])
        await self.ops.hub.publish(frames.joined(target.display_name), [to_visitor(chat.id)])
        log.info("chat_transferred", chat=chat.id, staff=staff.username, to=to)

    async def notes(self, chat_id: str) -> list[frames.Json]:
        """The chat's internal notes, decrypted, each with its author's display name."""
        names: dict[str, str] = {}
        out: list[frames.Json] = []
        for note in await self.ops.store.read_notes(chat_id):
            if note.author not in names:
                account = await self.staff_store.load_user(note.author)
                names[note.author] = account.display_name if account else note.author
            out.append(
                {"by": names[note.author], "text": note.text, "at": frames.rfc3339(note.at_ms)}
            )
        return out
