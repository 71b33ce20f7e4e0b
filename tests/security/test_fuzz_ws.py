"""Fuzzing both WebSocket endpoints of a running server with hypothesis.

More than 10,000 random and mutated frames go to `/ws/visit` (anonymous) and `/ws/console`
(a logged-in counsellor) over a few long-lived connections, while a real visitor and counsellor
talk alongside. The server must not crash or log an error, every reply must be a frame the
contract names (with a documented error code, never `server_error`), the fuzzed connections stay
open, and no acknowledged message is lost: not in the real chat, not in the fuzzed ones.

Frames are drawn in batches (one hypothesis example = one batch on one connection); each batch
ends with a sentinel whose answer is unique (a `msg` whose `ack` echoes its id; on the console,
a `typing` for a chat that does not exist, whose `not_yours` echoes the chat), so the test knows
every reply to the batch has arrived without waiting for silence. The server runs with very high
per-connection rates so the rate limiter does not answer instead of the code under test; one
test at the default rates checks `rate_limited` and the 1008 close.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import pytest
import redis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from chat.domain.topics import PROFESSIONS, TOPICS
from tests.security.conftest import (
    DIRECTORY_ORGS,
    Frame,
    LogCursor,
    healthz,
    import_directory,
    reply_problems,
)
from tests.support.clients import connect_console, connect_visitor, cookie_header, hello, login
from tests.support.server import RunningServer, StaffCredentials, add_staff, start_server_with

FUZZ_RATE: Final = "100000/1000000"  # frames/s per connection: the limiter stays out of the way
FRAME_LIMIT_BYTES: Final = 16 * 1024  # protocol.md: bigger frames close the socket with 1009
REPLY_TIMEOUT_S: Final = 2.0  # a healthy server answers in milliseconds
VISITOR_EXAMPLES: Final = 250
CONSOLE_EXAMPLES: Final = 230
OPENING_EXAMPLES: Final = 50
MIN_VISITOR_FRAMES: Final = 5500
MIN_CONSOLE_FRAMES: Final = 4500
MAX_ROUNDS: Final = 3
REAL_CHAT_PAUSE_S: Final = 0.05
MAX_FEEDERS: Final = 30
FUZZ_SETTINGS: Final = settings(
    deadline=None,
    database=None,
    # No shrinking: the harness finds the culprit frame of a failing batch itself (Failures);
    # hypothesis's shrinker would replay batches against a stateful server for minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# ---- strategies --------------------------------------------------------------------------

HUGE_INTS = st.sampled_from(
    [2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**40, -1, 0, 1, 2**1000]
)
LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
WEIRD_TEXTS = st.sampled_from(
    ["", " ", "\n\t ", "\u200b", "\u202e", "\x00", "<script>", "null", "../../etc/passwd",
     "sv\n", "0180\n", "١٢٣٤", "queue", "reporting-duty", "🌊" * 3, "ǅ", "ß", "İ"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.characters(), LONE_SURROGATES), max_size=12).map("".join),
    WEIRD_TEXTS,
)


@st.composite
def near_limit_texts(draw: st.DrawFn) -> str:
    """Texts around the limits: 4,000 code points, 128/200/2,000 characters, 16 KiB of UTF-8."""
    unit = draw(st.sampled_from(["a", "é", "😀", " "]))
    size = draw(st.sampled_from([127, 128, 129, 199, 200, 201, 1999, 2000, 2001, 3999, 4000, 4001]))
    size = min(size, (FRAME_LIMIT_BYTES - 200) // len(unit.encode()))
    return unit * size


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    TEXTS,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=8,
)
FIELD_VALUES = st.one_of(JSON_VALUES, near_limit_texts())

# Placeholders the lanes replace with real chat ids and records when they send a frame.
OWN, OTHER, REAL, QUEUED = "<own>", "<other>", "<real>", "<queued>"
CHAT_REFS = st.one_of(
    st.sampled_from([OWN, OWN, OWN, OTHER, REAL, QUEUED]),
    TEXTS,
    st.sampled_from(["nochat", "x" * 128, "x" * 129, "*", "f:chat:1", "sentinel-0"]),
)
TOPIC_CODES = tuple(TOPICS)
PROFESSION_CODES = tuple(PROFESSIONS)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(None), strategy)


def _frame(kind: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Frame]:
    """A valid-shaped frame of this type (None drops the field)."""
    return st.fixed_dictionaries({"type": st.just(kind), **fields}).map(
        lambda f: {k: v for k, v in f.items() if v is not None}
    )


VISITOR_VALID = st.one_of(
    _frame(
        "hello",
        v=st.just(1),
        channel=st.sampled_from(["youth", "professional"]),
        lang=st.sampled_from(["sv", "en", "ar", "fi"]),
        age=st.sampled_from(["under18", "18plus", "unsaid"]),
        topic=_opt(st.sampled_from(TOPIC_CODES)),
        gender=_opt(st.sampled_from(["girl", "boy", "other", "unsaid"])),
        kommun=_opt(st.sampled_from(["0180", "1280", "9999"])),
        profession=_opt(st.sampled_from(PROFESSION_CODES)),
        resume=_opt(
            st.fixed_dictionaries({"token": TEXTS, "last_seq": st.integers(0, 10)}),
        ),
    ),
    _frame("notice_ack", id=st.sampled_from(["reporting-duty", "other"])),
    _frame("msg", id=st.text(min_size=1, max_size=8), text=TEXTS),
    _frame("msg", id=st.text(min_size=1, max_size=8), text=near_limit_texts()),
    _frame("typing"),
    _frame("away", on=st.booleans()),
    _frame("return_code"),
    _frame(
        "survey",
        answers=st.dictionaries(
            st.sampled_from(["helped", "felt_safe", "know_next", "recommend", "x"]),
            st.one_of(st.integers(0, 10), st.sampled_from(["yes", "no", "partly"])),
            max_size=5,
        ),
    ),
)
# Each code check costs the server an argon2id run: rarer, so the run stays short.
VISITOR_COSTLY = st.one_of(
    _frame("forget_code", code=TEXTS),
    _frame("read_replies", code=TEXTS),
    _frame("leave_message", code=_opt(TEXTS), text=TEXTS),
)

CONSOLE_VALID = st.one_of(
    _frame("accept", chat=CHAT_REFS),
    _frame("watch", chat=CHAT_REFS),
    _frame("unwatch", chat=CHAT_REFS),
    _frame("msg", chat=CHAT_REFS, id=st.text(min_size=1, max_size=8), text=TEXTS),
    _frame("msg", chat=CHAT_REFS, id=st.text(min_size=1, max_size=8), text=near_limit_texts()),
    _frame("note", chat=CHAT_REFS, text=TEXTS),
    _frame(
        "transfer",
        chat=CHAT_REFS,
        to=st.one_of(st.sampled_from(["queue", "cleo", "fuzzer", "nobody"]), TEXTS),
    ),
    _frame("refer", chat=CHAT_REFS, org=st.one_of(st.sampled_from(DIRECTORY_ORGS), TEXTS)),
    _frame(
        "end",
        chat=CHAT_REFS,
        reasons=_opt(st.lists(st.one_of(st.sampled_from(TOPIC_CODES), TEXTS), max_size=3)),
    ),
    _frame("typing", chat=CHAT_REFS),
    _frame("summary", chat=CHAT_REFS, text=st.one_of(TEXTS, near_limit_texts())),
    _frame("heavy", chat=CHAT_REFS),
    # Usernames no harness console logs in with: a fuzzed limit must not stop the real chat.
    _frame(
        "set_limit",
        username=st.one_of(st.sampled_from(["nobody", "fuzz-ghost"]), TEXTS),
        limit=st.one_of(st.integers(-3, 25), FIELD_VALUES),
    ),
    _frame("inbox"),
    _frame("inbox_open", record=TEXTS),
    _frame("inbox_reply", record=TEXTS, text=TEXTS),
)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Frame]) -> Frame:
    """A valid-shaped frame with some fields dropped, retyped or replaced, and junk added."""
    frame = draw(base)
    out: Frame = {}
    for key, value in frame.items():
        action = draw(st.sampled_from(["keep"] * 5 + ["drop", "replace", "wrap"]))
        if action == "keep":
            out[key] = value
        elif action == "replace":
            out[key] = draw(FIELD_VALUES)
        elif action == "wrap":
            out[key] = [value] if draw(st.booleans()) else {"value": value}
    if draw(st.integers(0, 4)) == 0:
        out.update(draw(st.dictionaries(TEXTS, JSON_VALUES, min_size=1, max_size=3)))
    return out


@st.composite
def raw_junk(draw: st.DrawFn, types: tuple[str, ...]) -> str:
    """Text that is not a frame: not JSON, not an object, no string type, deep nesting."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return str(draw(st.text(max_size=60)))
    if kind == 1:
        return json.dumps(draw(JSON_VALUES))  # mostly not an object
    if kind == 2:
        return json.dumps({"type": draw(st.one_of(JSON_VALUES, TEXTS))})
    if kind == 3:
        depth = draw(st.integers(1, 5000))
        return '{"type":"msg","id":"deep","text":' + "[" * depth + "]" * depth + "}"
    if kind == 4:
        depth = draw(st.integers(1, 3000))
        return (
            '{"type":"'
            + draw(st.sampled_from(types))
            + '","x":'
            + '{"a":' * depth
            + "1"
            + "}" * depth
            + "}"
        )
    if kind == 6:  # an integer past Python's 4,300-digit limit for int()
        return '{"type":"' + draw(st.sampled_from(types)) + '","n":' + "9" * 5000 + "}"
    if kind == 5:  # broken JSON of a real frame
        whole = json.dumps({"type": draw(st.sampled_from(types)), "chat": "x", "text": "y"})
        return whole[: draw(st.integers(0, len(whole) - 1))]
    return json.dumps({"type": draw(st.sampled_from(types)).upper()})


VISITOR_TYPES = ("hello", "msg", "typing", "away", "survey", "notice_ack", "return_code")
CONSOLE_TYPES = (
    "accept", "msg", "note", "transfer", "refer", "end", "typing", "summary", "watch", "heavy",
    "set_limit",
)  # fmt: skip


VISITOR_FRAMES = st.one_of(
    st.one_of(VISITOR_VALID, VISITOR_VALID, mutated(VISITOR_VALID), mutated(VISITOR_VALID)),
    raw_junk(VISITOR_TYPES),
    st.integers(0, 40).flatmap(lambda n: VISITOR_VALID if n else mutated(VISITOR_COSTLY)),
)
CONSOLE_FRAMES = st.one_of(
    CONSOLE_VALID,
    CONSOLE_VALID,
    mutated(CONSOLE_VALID),
    mutated(CONSOLE_VALID),
    raw_junk(CONSOLE_TYPES),
)
# Frames that open, resume, end or leave a chat: on a fresh connection each time.
OPENING_FRAMES = st.one_of(
    VISITOR_VALID,
    mutated(VISITOR_VALID),
    _frame("end"),
    _frame("exit"),
    mutated(_frame("end")),
    mutated(_frame("exit")),
    _frame("notice_ack", id=st.just("reporting-duty")),
    _frame(
        "hello",
        v=st.just(1),
        channel=st.just("youth"),
        lang=st.just("sv"),
        age=st.just("under18"),
        return_code=TEXTS,
    ),
)

_SURROGATE = re.compile("[\ud800-\udfff]")


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def encode(frame: Frame | str, defuse: bool = False) -> str:
    """The wire text of a frame. A lone surrogate cannot travel raw in a UTF-8 text frame, but
    a JSON escape carries it (`"\\ud800"`), exactly as a hostile client would send it.

    With `defuse`, lone surrogates become "?": once a fault they cause is found and pinned (its
    culprit reported), the rest of the run looks for other faults instead of waiting on the same
    broken socket a hundred times. The fault found still fails the test.
    """
    text = frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False)
    if defuse:
        return _ESCAPED_SURROGATE.sub("?", _SURROGATE.sub("?", text))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ---- peers: a synchronous socket and a reader thread that checks every frame ---------------

CLOSED: Final[Frame] = {"type": "<closed>"}


class Peer:
    """One WebSocket; every frame the server sends is checked against the contract."""

    def __init__(self, server: RunningServer, path: str, side: str, cookie: str = "") -> None:
        headers = {"Cookie": cookie} if cookie else {}
        self.ws: ClientConnection = connect(
            f"{server.ws_base}{path}",
            origin=Origin(server.origin),
            additional_headers=headers,
            max_size=2**22,
            open_timeout=REPLY_TIMEOUT_S,
            proxy=None,
            # No keepalive pings: their payload comes from the `random` module, which hypothesis
            # forbids other threads to touch while it draws. The server pings us anyway.
            ping_interval=None,
            legacy=True,  # a plain connection, closed by `close()`, not a context manager
        )
        self.side = side
        self.inbox: queue.Queue[Frame] = queue.Queue()
        self.log: list[Frame] = []
        self.problems: list[str] = []
        self.close_code: int | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                try:
                    frame = json.loads(raw)
                except ValueError:
                    self.problems.append(f"not JSON: {raw!r}"[:300])
                    continue
                self.problems += reply_problems(frame, self.side)
                if isinstance(frame, dict):
                    self.log.append(frame)
                    self.inbox.put(frame)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.inbox.put(CLOSED)

    @property
    def open(self) -> bool:
        return self.close_code is None and self._reader.is_alive()

    def send(self, frame: Frame | str) -> None:
        self.ws.send(encode(frame))

    def until(self, done: Callable[[Frame], bool], timeout: float = REPLY_TIMEOUT_S) -> list[Frame]:
        """Frames up to and including the first for which `done` holds.

        Raises:
            TimeoutError: nothing matched in time (the frames seen are in the message).
            ConnectionError: the server closed the socket first.
        """
        seen: list[Frame] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                frame = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                raise TimeoutError(f"no answer within {timeout} s; saw {seen[-5:]}") from None
            if frame is CLOSED:
                self.inbox.put(CLOSED)
                raise ConnectionError(f"closed with {self.close_code}; saw {seen[-5:]}")
            seen.append(frame)
            if done(frame):
                return seen

    def drain(self) -> list[Frame]:
        out = []
        with contextlib.suppress(queue.Empty):
            while True:
                frame = self.inbox.get_nowait()
                if frame is CLOSED:
                    self.inbox.put(CLOSED)
                    break
                out.append(frame)
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        self._reader.join(timeout=5)


def is_ack(client_id: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == "ack" and f.get("id") == client_id


# ---- the harness: one server, its staff, the fuzzed lanes and a real chat -----------------


@dataclass
class Lane:
    """A fuzzed visitor connection and its chat; `held` when a counsellor has accepted it."""

    peer: Peer
    chat: str
    held: bool
    acked: dict[int, str] = field(default_factory=dict)  # seq -> text, acknowledged to it


class Failures:
    """Problems seen across all batches, one culprit frame per kind of problem.

    The fuzzers collect instead of stopping at the first failing batch, so one run shows every
    kind of fault at once; the culprit search replays a failing batch frame by frame (a cheap,
    targeted shrink: hypothesis's own shrinking would re-run a stateful server for minutes).
    """

    def __init__(self) -> None:
        self.kinds: dict[str, tuple[str, str, int]] = {}  # kind -> (example, culprit, count)
        self.defuse_surrogates = False

    @staticmethod
    def kind(problem: str) -> str:
        return re.sub(r"[0-9a-f]{6,}|\d+|'[^']*'|\{.*", "…", problem)[:90]

    def note(self, problems: list[str], culprit: Callable[[], str]) -> None:
        kinds = {self.kind(p): p for p in problems}
        new = [k for k in kinds if k not in self.kinds]
        found = culprit() if new else ""
        if _ESCAPED_SURROGATE.search(found):
            self.defuse_surrogates = True
        for key, example in kinds.items():
            _, first_culprit, count = self.kinds.get(key, (example, found, 0))
            self.kinds[key] = (example[:400], first_culprit[:400], count + 1)

    def report(self) -> str:
        return "\n".join(
            f"- {count} batches: {example}\n  first culprit frame: {culprit}"
            for example, culprit, count in self.kinds.values()
        )


@dataclass
class Harness:
    server: RunningServer
    creds: dict[str, StaffCredentials]
    http: dict[str, httpx.Client]
    logs: LogCursor
    lanes: list[Lane] = field(default_factory=list)
    holder: Peer | None = None  # bilal: holds the fuzzed visitors' chats that are accepted
    colleague: Peer | None = None  # cleo: online, so a warm transfer to her can happen
    fuzzer: Peer | None = None  # the fuzzed console
    own: list[str] = field(default_factory=list)  # chats the fuzzed console holds
    feeders: list[tuple[Peer, str]] = field(default_factory=list)  # visitors of those chats
    sent: dict[str, int] = field(default_factory=lambda: {"visitor": 0, "console": 0})
    counter: Iterator[int] = field(default_factory=itertools.count)
    held_seen: dict[str, dict[int, str]] = field(default_factory=dict)  # holder: chat -> msgs
    real: RealChat | None = None
    failures: dict[str, Failures] = field(
        default_factory=lambda: {side: Failures() for side in ("visitor", "console", "opening")}
    )

    # -- set-up --------------------------------------------------------------------------

    def console(self, name: str) -> Peer:
        peer = Peer(self.server, "/ws/console", "console", cookie_header(self.http[name]))
        peer.until(lambda f: f.get("type") == "queue")
        return peer

    def visitor_chat(self) -> tuple[Peer, str]:
        peer = Peer(self.server, "/ws/visit", "visitor")
        peer.send(hello())
        welcome = peer.until(lambda f: f.get("type") == "welcome")[-1]
        peer.until(lambda f: f.get("type") == "queued")
        return peer, str(welcome["chat"])

    def take(self, console: Peer, chat: str) -> None:
        console.send({"type": "accept", "chat": chat})
        console.until(lambda f: f.get("type") == "assigned" and f.get("chat") == chat)

    def new_lane(self, held: bool) -> Lane:
        peer, chat = self.visitor_chat()
        if held:
            assert self.holder is not None
            self.take(self.holder, chat)
            peer.until(lambda f: f.get("type") == "joined")
        return Lane(peer, chat, held)

    def replace_holder(self) -> None:
        """A console that stopped hearing is reloaded, as a counsellor would reload the page."""
        if self.holder is not None:
            self.holder.close()
        self.holder = self.console("bilal")

    # -- the visitor endpoint --------------------------------------------------------------

    def visitor_batch(self, index: int, frames: list[Frame | str]) -> None:
        """Send a batch on one fuzzed visitor socket; note what went wrong, and which frame."""
        lane = self.lanes[index % len(self.lanes)]
        problems = self._visitor_round(lane, frames)
        if problems:
            self._renew(lane)
            self.failures["visitor"].note(problems, lambda: self._visitor_culprit(lane, frames))

    def _visitor_round(self, lane: Lane, frames: list[Frame | str]) -> list[str]:
        lane.peer.drain()
        self.logs.alarms()
        problems: list[str] = []
        n = next(self.counter)
        defuse = self.failures["visitor"].defuse_surrogates
        for frame in frames:
            text = encode(frame, defuse)
            if len(text.encode()) > FRAME_LIMIT_BYTES:
                continue  # the size limit has its own test; here the socket must stay open
            lane.peer.ws.send(text)
            self.sent["visitor"] += 1
        token, sentinel_text = f"sentinel-{n}", f"sentinel text {n}"
        lane.peer.send({"type": "msg", "id": token, "text": sentinel_text})
        try:
            replies = lane.peer.until(is_ack(token))
        except (TimeoutError, ConnectionError) as exc:
            problems.append(f"the visitor socket stopped answering: {exc}")
            replies = []
        problems += lane.peer.problems
        lane.peer.problems.clear()
        for reply in replies:
            if reply.get("type") == "ack":
                lane.acked[int(reply["seq"])] = str(reply["id"])
        if lane.held and not problems:
            problems += self._holder_heard(lane, sentinel_text)
        problems += [f"server log: {line}" for line in self.logs.alarms()]
        return problems

    def _visitor_culprit(self, lane: Lane, frames: list[Frame | str]) -> str:
        """The first frame of a failed batch that fails on its own (a cheap shrink)."""
        for frame in frames:
            if self._visitor_round(lane, [frame]):
                self._renew(lane)
                return encode(frame)
        return "(no single frame: the batch fails only as a whole)"

    def _holder_heard(self, lane: Lane, sentinel_text: str) -> list[str]:
        """The counsellor holding the chat received every message acknowledged to the visitor."""
        holder = self.holder
        assert holder is not None
        try:
            for frame in holder.until(
                lambda f: f.get("type") == "msg" and f.get("text") == sentinel_text, 2.0
            ):
                if frame.get("type") == "msg" and frame.get("from") == "visitor":
                    chat = self.held_seen.setdefault(str(frame.get("chat")), {})
                    chat[int(frame["seq"])] = str(frame.get("text"))
        except (TimeoutError, ConnectionError) as exc:
            return [f"the counsellor holding the chat stopped receiving its messages: {exc}"]
        seen = self.held_seen.get(lane.chat, {})
        missing = sorted(seq for seq in lane.acked if seq not in seen)
        return (
            [f"acknowledged seqs never reached the counsellor: {missing[:10]}"] if missing else []
        )

    def _renew(self, lane: Lane) -> None:
        """After a failure: end the chats that may hold the poison (a console that reloads would
        get it again in the replay), reload the counsellor's console and start new chats."""
        renewed = [x for x in self.lanes if x.held] if lane.held else [lane]
        for old in renewed:
            with contextlib.suppress(Exception):
                old.peer.send({"type": "end"})
                old.peer.until(lambda f: f.get("type") == "ended", 2.0)
            old.peer.close()
        if lane.held:
            self.replace_holder()
        for old in renewed:
            fresh = self.new_lane(old.held)
            old.peer, old.chat, old.acked = fresh.peer, fresh.chat, {}

    # -- the console endpoint --------------------------------------------------------------

    def resolve(self, frame: Frame | str, pick: int) -> Frame | str:
        if isinstance(frame, str):
            return frame
        held = [lane.chat for lane in self.lanes if lane.held]  # bilal's: never to be changed
        refs = {
            OWN: self.own[pick % len(self.own)] if self.own else "gone",
            OTHER: held[pick % len(held)],
            REAL: self.real.chat if self.real else "real",
            QUEUED: self.feeders[-1][1] if self.feeders else "none",
        }
        return {k: refs.get(v, v) if isinstance(v, str) else v for k, v in frame.items()}

    def top_up(self) -> None:
        """Keep two chats held by the fuzzed console, and now and then one waiting for it."""
        assert self.fuzzer is not None
        held = self._fuzzer_chats()
        self.own = [c for c in self.own if c in held] + sorted(held - set(self.own))
        while len(self.own) < 2:
            peer, chat = self.visitor_chat()
            self.feeders.append((peer, chat))
            self.take(self.fuzzer, chat)
            self.own.append(chat)
        if self.sent["console"] // 400 >= len(self.feeders) // 3:
            self.feeders.append(self.visitor_chat())
        while len(self.feeders) > MAX_FEEDERS:
            peer, _ = self.feeders.pop(0)
            with contextlib.suppress(Exception):
                peer.send({"type": "end"})
            peer.close()

    def _fuzzer_chats(self) -> set[str]:
        """The chats the fuzzed console holds, from what the server told it."""
        assert self.fuzzer is not None
        held: set[str] = set()
        for frame in self.fuzzer.log:
            chat = frame.get("chat")
            if frame.get("type") == "assigned" and isinstance(chat, str):
                held.add(chat)
            elif frame.get("type") in ("ended", "released", "transferred_out", "visitor_left"):
                held.discard(str(chat))
        return held

    def console_batch(self, picks: list[int], frames: list[Frame | str]) -> None:
        """Send a batch on the fuzzed console; note what went wrong, and which frame."""
        resolved = self._console_ready(picks, frames)
        problems = self._console_round(resolved)
        if problems:
            self.failures["console"].note(problems, lambda: self._console_culprit(resolved))

    def _console_ready(self, picks: list[int], frames: list[Frame | str]) -> list[Frame | str]:
        for attempt in range(3):
            if self.fuzzer is None or not self.fuzzer.open:
                self.fuzzer = self.console("fuzzer")
            try:
                self.top_up()
                break
            except (TimeoutError, ConnectionError) as exc:
                # The console no longer hears: noted, and started again from scratch.
                problem = f"the console stopped answering: {exc}"
                self.failures["console"].note([problem], lambda: "")
                self._drop_fuzzer()
                if attempt == 2:
                    raise
        return [self.resolve(frame, pick) for frame, pick in zip(frames, picks, strict=True)]

    def _console_round(self, frames: list[Frame | str]) -> list[str]:
        fuzzer = self.fuzzer
        assert fuzzer is not None
        fuzzer.drain()
        self.logs.alarms()
        n = next(self.counter)
        defuse = self.failures["console"].defuse_surrogates
        for frame in frames:
            text = encode(frame, defuse)
            if len(text.encode()) > FRAME_LIMIT_BYTES:
                continue
            fuzzer.ws.send(text)
            self.sent["console"] += 1
        sentinel = f"sentinel-{n}"
        fuzzer.send({"type": "typing", "chat": sentinel})
        problems: list[str] = []
        try:
            fuzzer.until(lambda f: f.get("type") == "error" and f.get("chat") == sentinel)
        except (TimeoutError, ConnectionError) as exc:
            problems.append(f"the console stopped answering: {exc}")
        problems += fuzzer.problems
        fuzzer.problems.clear()
        for peer, _ in self.feeders:
            problems += [f"visitor of a fuzzed console's chat: {p}" for p in peer.problems]
            peer.problems.clear()
        if self.colleague is not None:
            problems += [f"colleague's console: {p}" for p in self.colleague.problems]
            self.colleague.problems.clear()
        problems += [f"server log: {line}" for line in self.logs.alarms()]
        if problems:
            self._drop_fuzzer()
        return problems

    def _drop_fuzzer(self) -> None:
        """End the fuzzed console's chats (sending still works when the server no longer
        writes to it), so a reload does not replay whatever broke it, and close it."""
        fuzzer = self.fuzzer
        if fuzzer is not None:
            for chat in self.own:
                with contextlib.suppress(Exception):
                    fuzzer.send({"type": "end", "chat": chat})
            with contextlib.suppress(Exception):
                fuzzer.send({"type": "typing", "chat": "flush"})
                fuzzer.until(lambda f: f.get("chat") == "flush", 1.0)
            fuzzer.close()
        self.fuzzer = None
        self.own = []

    def _console_culprit(self, frames: list[Frame | str]) -> str:
        for frame in frames:
            self._console_ready([], [])
            if self._console_round([frame]):
                return encode(frame)
        return "(no single frame: the batch fails only as a whole)"

    def close(self) -> None:
        peers = [lane.peer for lane in self.lanes] + [p for p, _ in self.feeders]
        peers += [p for p in (self.holder, self.fuzzer, self.colleague) if p is not None]
        for peer in peers:
            peer.close()
        for client in self.http.values():
            client.close()


class RealChat:
    """A visitor and a counsellor who keep talking while the fuzzers run."""

    def __init__(self, harness: Harness) -> None:
        self.visitor, self.chat = harness.visitor_chat()
        self.console = harness.console("anna")
        harness.take(self.console, self.chat)
        self.stop = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._talk, daemon=True)
        self.thread.start()

    def _talk(self) -> None:
        for i in itertools.count():
            if self.stop.is_set():
                return
            self.visitor.send({"type": "msg", "id": f"v{i}", "text": f"visitor says {i}"})
            self.console.send(
                {"type": "msg", "chat": self.chat, "id": f"c{i}", "text": f"counsellor says {i}"}
            )
            self.sent = i + 1
            time.sleep(REAL_CHAT_PAUSE_S)

    def finish(self) -> list[str]:
        """Stop talking, let the last messages land, and say what was lost or out of order."""
        self.stop.set()
        self.thread.join(timeout=5)
        time.sleep(1.0)
        problems = self.visitor.problems + self.console.problems
        visitor_acks = {f["id"]: f["seq"] for f in self.visitor.log if f.get("type") == "ack"}
        console_acks = {
            f["id"]: f["seq"]
            for f in self.console.log
            if f.get("type") == "ack" and f.get("chat") == self.chat
        }
        at_console = [
            f for f in self.console.log if f.get("type") == "msg" and f.get("chat") == self.chat
        ]
        at_visitor = [f for f in self.visitor.log if f.get("type") == "msg"]
        if len(visitor_acks) < self.sent or len(console_acks) < self.sent:
            problems.append(
                f"{self.sent} sent each way, acked: visitor {len(visitor_acks)}, "
                f"console {len(console_acks)}"
            )
        for acks, heard, who in (
            (visitor_acks, at_console, "console"),
            (console_acks, at_visitor, "visitor"),
        ):
            got = {f["seq"]: f["text"] for f in heard}
            lost = [cid for cid, seq in acks.items() if seq not in got]
            if lost:
                problems.append(f"{len(lost)} acknowledged messages never reached the {who}")
            seqs = [f["seq"] for f in heard]
            if seqs != sorted(set(seqs)):
                problems.append(f"the {who} got messages out of seq order or twice")
        return problems


@pytest.fixture(scope="module")
def harness(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    workdir = tmp_path_factory.mktemp("fuzz")
    import_directory(redis_server, workdir)
    server = start_server_with(
        redis_server,
        workdir,
        {"FRISTAD_VISITOR_RATE": FUZZ_RATE, "FRISTAD_CONSOLE_RATE": FUZZ_RATE},
    )
    names = ("anna", "bilal", "cleo", "fuzzer")
    with ThreadPoolExecutor(len(names)) as pool:
        made = list(pool.map(lambda name: add_staff(redis_server, name, name=name.title()), names))
    creds = dict(zip(names, made, strict=True))
    http = {name: login(server, c) for name, c in creds.items()}
    h = Harness(server=server, creds=creds, http=http, logs=LogCursor(server))
    try:
        h.holder = h.console("bilal")
        h.colleague = h.console("cleo")
        h.lanes = [h.new_lane(held=i % 2 == 0) for i in range(4)]
        h.real = RealChat(h)
        h.logs.skip()
        yield h
    finally:
        if h.real is not None:
            h.real.stop.set()
            h.real.visitor.close()
            h.real.console.close()
        h.close()
        server.stop()


# ---- the tests ---------------------------------------------------------------------------


# Each test asks for what it checks: the fuzzing of an endpoint runs once per module, in the
# first test that needs it (whichever that is), so the tests pass in any order and alone.


@pytest.fixture(scope="module")
def visitor_fuzzed(harness: Harness) -> Harness:
    """The visitor endpoint fuzzed (while the real chat talks alongside)."""

    @settings(FUZZ_SETTINGS, max_examples=VISITOR_EXAMPLES)
    @given(st.integers(0, 3), st.lists(VISITOR_FRAMES, min_size=15, max_size=40))
    def batch(lane: int, frames: list[Frame | str]) -> None:
        harness.visitor_batch(lane, frames)

    # Hypothesis's batch sizes vary: run rounds until the frame count the issue asks for.
    for _ in range(MAX_ROUNDS):
        batch()
        if harness.sent["visitor"] >= MIN_VISITOR_FRAMES:
            break
    return harness


@pytest.fixture(scope="module")
def console_fuzzed(harness: Harness) -> Harness:
    """The console endpoint fuzzed (while the real chat talks alongside)."""

    @settings(FUZZ_SETTINGS, max_examples=CONSOLE_EXAMPLES)
    @given(st.lists(st.tuples(st.integers(0, 7), CONSOLE_FRAMES), min_size=15, max_size=40))
    def batch(frames: list[tuple[int, Frame | str]]) -> None:
        harness.console_batch([p for p, _ in frames], [f for _, f in frames])

    for _ in range(MAX_ROUNDS):
        batch()
        if harness.sent["console"] >= MIN_CONSOLE_FRAMES:
            break
    return harness


def test_visitor_endpoint_takes_any_frame(visitor_fuzzed: Harness) -> None:
    harness = visitor_fuzzed
    failures = harness.failures["visitor"]
    assert not failures.kinds, "\n" + failures.report()
    assert harness.sent["visitor"] >= MIN_VISITOR_FRAMES, harness.sent


def test_console_endpoint_takes_any_frame(console_fuzzed: Harness) -> None:
    harness = console_fuzzed
    failures = harness.failures["console"]
    assert not failures.kinds, "\n" + failures.report()
    assert harness.sent["console"] >= MIN_CONSOLE_FRAMES, harness.sent


def test_opening_and_leaving_frames_on_fresh_connections(harness: Harness) -> None:
    """`hello` (new, with a code, resuming), `notice_ack`, `end` and `exit` in any order.

    `exit` may close the socket (1000), and only after a frame that is an `exit`; otherwise a
    plain `hello` and a `msg` after the batch must still be answered.
    """

    @settings(FUZZ_SETTINGS, max_examples=OPENING_EXAMPLES)
    @given(st.lists(OPENING_FRAMES, min_size=1, max_size=8))
    def batch(frames: list[Frame | str]) -> None:
        harness.logs.alarms()
        peer = Peer(harness.server, "/ws/visit", "visitor")
        problems: list[str] = []
        try:
            try:
                # An `exit` in the batch may close the socket before these are sent.
                for frame in frames:
                    peer.send(frame)
                peer.send(hello())
                peer.send({"type": "notice_ack", "id": "reporting-duty"})
                peer.send({"type": "msg", "id": "sentinel", "text": "still here"})
                peer.until(is_ack("sentinel"))
            except (ConnectionError, ConnectionClosed):
                exits = [f for f in frames if isinstance(f, dict) and f.get("type") == "exit"]
                code = peer.close_code or peer.ws.close_code
                oversize = any(len(encode(f).encode()) > FRAME_LIMIT_BYTES for f in frames)
                if not ((exits and code == 1000) or (oversize and code == 1009)):
                    problems.append(f"closed with {code} without an exit")
            except TimeoutError as exc:
                problems.append(f"no answer: {exc}")
            problems += peer.problems
            if peer.open:
                with contextlib.suppress(ConnectionClosed, ConnectionError):
                    peer.send({"type": "end"})  # an exit in the batch may be closing it now
        finally:
            peer.close()
        problems += [f"server log: {line}" for line in harness.logs.alarms()]
        if problems:  # noted, not raised: a timing-dependent fault must not read as flaky
            harness.failures["opening"].note(problems, lambda: " ".join(map(encode, frames)))

    batch()
    failures = harness.failures["opening"]
    assert not failures.kinds, "\n" + failures.report()


def test_the_real_chat_lost_nothing_and_the_server_is_well(
    visitor_fuzzed: Harness, console_fuzzed: Harness
) -> None:
    """After the fuzzers: the chat that went on alongside them lost nothing."""
    harness = console_fuzzed
    assert harness.real is not None
    problems = harness.real.finish()
    assert harness.real.sent > 0
    assert not problems, "\n".join(problems)
    assert healthz(harness.server) == 200
    assert harness.server.proc.poll() is None
    assert harness.logs.alarms() == []
    print(f"frames sent: {harness.sent}; real chat: {harness.real.sent} messages each way")
    assert sum(harness.sent.values()) >= MIN_VISITOR_FRAMES + MIN_CONSOLE_FRAMES, harness.sent


async def test_over_the_rate_a_socket_is_refused_then_closed(
    harness: Harness, module_server_factory: Callable[..., RunningServer]
) -> None:
    """At the default rates (visitor 10/s, burst 20; console 100/s, burst 200): a burst past
    the bucket gets `rate_limited` and the socket stays open; persistent abuse closes with 1008;
    a client that keeps to the rate on another socket is not affected."""
    server = module_server_factory()
    logs = LogCursor(server)
    visitor = await connect_visitor(server)
    calm = await connect_visitor(server)
    for _ in range(30):
        await visitor.send({"type": "typing"})
    assert (await visitor.expect("error", code="rate_limited"))["code"] == "rate_limited"
    await asyncio.sleep(0.5)  # the bucket refills at 10 a second
    await visitor.send({"type": "hello"})
    await visitor.expect("error", code="bad_field")  # still open: the bucket refilled a little
    for _ in range(300):
        await visitor.send({"type": "typing"})
    assert await visitor.closed_code(within=10) == 1008
    await calm.send(hello())
    await calm.expect("welcome")

    console = await connect_console(server, harness.http["fuzzer"])
    for _ in range(230):
        await console.send({"type": "typing", "chat": "nochat"})
    await console.expect("error", code="rate_limited")
    for _ in range(600):
        await console.send({"type": "typing", "chat": "nochat"})
    assert await console.closed_code(within=10) == 1008
    for client in (visitor, calm, console):
        await client.close()
    assert logs.alarms() == []


def test_oversized_and_binary_frames_close_only_their_socket(harness: Harness) -> None:
    for path, side, cookie in (
        ("/ws/visit", "visitor", ""),
        ("/ws/console", "console", cookie_header(harness.http["fuzzer"])),
    ):
        big = Peer(harness.server, path, side, cookie)
        big.ws.send(json.dumps({"type": "typing", "chat": "x" * FRAME_LIMIT_BYTES}))
        with pytest.raises(ConnectionError):
            big.until(lambda f: False, timeout=5)
        assert big.close_code == 1009
        binary = Peer(harness.server, path, side, cookie)
        binary.ws.send(b'{"type":"typing"}')
        with pytest.raises(ConnectionError):
            binary.until(lambda f: False, timeout=5)
        assert binary.close_code == 1003
        for peer in (big, binary):
            assert peer.problems == []
            peer.close()


# ---- what the fuzzers found, each pinned down on its own --------------------------------------
# A lone surrogate (U+D800..U+DFFF) cannot be encoded as UTF-8, but a JSON escape carries one
# into the server's strings; whatever the server then writes with it (Redis, a frame) fails.

LONE = "\\ud800"  # as it appears in the JSON text: backslash, u, d800


async def test_a_lone_surrogate_in_a_waiting_visitors_text_is_a_bad_field(
    harness: Harness,
) -> None:
    visitor = await connect_visitor(harness.server)
    await visitor.send(hello())
    await visitor.expect("queued")
    await visitor.send('{"type":"msg","id":"s1","text":"hej ' + LONE + '"}')
    error = await visitor.expect("error")
    assert (error["code"], error.get("field")) == ("bad_field", "text"), error
    await visitor.close()


async def test_a_lone_surrogate_in_an_id_is_a_bad_field(harness: Harness) -> None:
    visitor = await connect_visitor(harness.server)
    await visitor.send(hello())
    await visitor.expect("queued")
    await visitor.send('{"type":"msg","id":"' + LONE + '","text":"hej"}')
    error = await visitor.expect("error")
    assert (error["code"], error.get("field")) == ("bad_field", "id"), error
    console = await connect_console(harness.server, harness.http["cleo"])
    await console.send('{"type":"typing","chat":"' + LONE + '"}')
    error = await console.expect("error")
    assert error["code"] in ("bad_field", "not_yours"), error
    for client in (visitor, console):
        await client.close()


async def test_a_lone_surrogate_from_a_visitor_does_not_silence_the_counsellor(
    harness: Harness,
) -> None:
    """A visitor's message with a lone surrogate is acknowledged, but writing it to the console
    fails, the console's sender stops, and the counsellor hears nothing more from any chat;
    reloading the console replays the same message and fails again."""
    console = await connect_console(harness.server, harness.http["cleo"])
    await console.expect("queue")
    visitor = await connect_visitor(harness.server)
    await visitor.send(hello())
    chat = (await visitor.expect("welcome"))["chat"]
    await console.send({"type": "accept", "chat": chat})
    await console.expect("assigned", chat=chat)
    await visitor.expect("joined")
    await visitor.send('{"type":"msg","id":"p1","text":"hej ' + LONE + '"}')
    first = await visitor.recv_any()  # an ack, or a bad_field for the text: either is fine
    while first.get("type") not in ("ack", "error"):
        first = await visitor.recv_any()
    assert first.get("code") != "server_error", first
    await visitor.send({"type": "msg", "id": "p2", "text": "are you there?"})
    await visitor.expect("ack", id="p2")
    heard = await console.expect("msg", chat=chat, text="are you there?")
    assert heard["from"] == "visitor", (first, heard)
    print("first answer to the surrogate message:", first)
    await visitor.send({"type": "end"})
    for client in (visitor, console):
        await client.close()


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"kommun": "١٢٣٤"}, "kommun"), ({"kommun": "0180\n"}, "kommun"), ({"lang": "sv\n"}, "lang")],
)
async def test_hello_refuses_values_outside_the_listed_set(
    harness: Harness, extra: dict[str, str], field: str
) -> None:
    """protocol.md: `kommun` is four digits ("0180"), `lang` a two- or three-letter code; a
    value outside the set is `bad_field`. Arabic-Indic digits and a trailing newline pass
    the server's regular expressions (`\\d` is Unicode, `$` matches before a final newline)."""
    visitor = await connect_visitor(harness.server)
    await visitor.send(hello(**extra))
    frame = await visitor.recv_any()
    if frame.get("type") == "welcome":
        await visitor.send({"type": "end"})
    await visitor.close()
    assert (frame.get("code"), frame.get("field")) == ("bad_field", field), frame
