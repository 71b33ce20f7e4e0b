"""What the staff side may use of the chat's live parts: operations, stores and the socket shell.

The console's socket, pages and stores are built on these; the chat's pure names are in
chat/core_api.py. import-linter holds both ("the console reaches the chat through chat.api and
chat.core_api"), so the sub-packages behind them can be rearranged without touching the
console. A name joins when the console needs it, not before.
"""

from __future__ import annotations

from chat.live.connection import Connection
from chat.live.lanes import Lanes
from chat.live.lifecycle import running
from chat.live.origin import origin_allowed
from chat.live.quiet_log import QuietLog
from chat.live.receive_loop import CLOSE_POLICY, receive_text_frames
from chat.operations.continuity import left_message_frame
from chat.operations.conversations import Conversations, NotYoursError
from chat.operations.events import STAFF_CHANGED, to_chat_staff, to_staff, to_visitor
from chat.operations.safety import Safety
from chat.stores.base_store import CHANNELS, PREFIX, ChatEndedError, as_hash
from chat.stores.floor_store import HOURS, FloorStore
from chat.stores.limits_store import AtLimitError, LimitsStore, PausedError
from chat.stores.returncode_store import UnknownRecordError
from chat.stores.safety_store import ChatInProgress
from chat.stores.stats_store import StatsReader, day_key

__all__ = [
    "CHANNELS",
    "CLOSE_POLICY",
    "HOURS",
    "PREFIX",
    "STAFF_CHANGED",
    "AtLimitError",
    "ChatEndedError",
    "ChatInProgress",
    "Connection",
    "Conversations",
    "FloorStore",
    "Lanes",
    "LimitsStore",
    "NotYoursError",
    "PausedError",
    "QuietLog",
    "Safety",
    "StatsReader",
    "UnknownRecordError",
    "as_hash",
    "day_key",
    "left_message_frame",
    "origin_allowed",
    "receive_text_frames",
    "running",
    "to_chat_staff",
    "to_staff",
    "to_visitor",
]
