"""What the staff side may use of the chat: the console imports ``chat`` through this module only.

import-linter holds it (the contract "the console reaches the chat through chat.api"): the
sub-packages behind it can be rearranged without touching the console, and what the console
depends on is this one list. A name joins it when the console needs it, not before; the
imports below are grouped by the layer they come from (domain, live, operations, stores, texts,
wire).
"""

from __future__ import annotations

from chat.domain.hours import HoursFormatError, OpeningHours, Window, parse_opening_hours
from chat.domain.metrics_hooks import Direction
from chat.domain.municipalities import is_municipality
from chat.domain.protocol import ChatState
from chat.domain.records import ChatRecord, QueueItem, StoredMessage
from chat.domain.stats import (
    ALL,
    CONTACTS,
    CONTACTS_CHANNEL,
    CONTACTS_TOPIC,
    END_REASON,
    NOT_GIVEN,
    STATS_RETENTION_DAYS,
    STATS_ZONE,
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    VISITOR_LEFT,
    WITHHELD,
    DayRange,
    StatsRangeError,
    counter_field,
    expires_at,
    ordered_rows,
    parse_range,
    render_csv,
    stockholm_day,
)
from chat.domain.topics import LANGS, TOPICS, label
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
from chat.texts.catalogue import Catalogues
from chat.texts.system_texts import handover_text, referral_label
from chat.wire import outbound as frames
from chat.wire.inbound import (
    Accept,
    Block,
    ConsoleEnd,
    ConsoleFrame,
    ConsoleMsg,
    Escalate,
    FrameError,
    Heavy,
    InboxList,
    InboxOpen,
    InboxReply,
    Note,
    Refer,
    RiskUpdate,
    SetLimit,
    Summary,
    Transfer,
    Typing,
    Unwatch,
    Watch,
    Whisper,
)
from chat.wire.outbound import rfc3339
from chat.wire.parse import parse_console_frame

__all__ = [
    "ALL",
    "CHANNELS",
    "CLOSE_POLICY",
    "CONTACTS",
    "CONTACTS_CHANNEL",
    "CONTACTS_TOPIC",
    "END_REASON",
    "HOURS",
    "LANGS",
    "NOT_GIVEN",
    "PREFIX",
    "STAFF_CHANGED",
    "STATS_RETENTION_DAYS",
    "STATS_ZONE",
    "SUPPRESSED",
    "SUPPRESSION_THRESHOLD",
    "TOPICS",
    "VISITOR_LEFT",
    "WITHHELD",
    "Accept",
    "AtLimitError",
    "Block",
    "Catalogues",
    "ChatEndedError",
    "ChatInProgress",
    "ChatRecord",
    "ChatState",
    "Connection",
    "ConsoleEnd",
    "ConsoleFrame",
    "ConsoleMsg",
    "Conversations",
    "DayRange",
    "Direction",
    "Escalate",
    "FloorStore",
    "FrameError",
    "Heavy",
    "HoursFormatError",
    "InboxList",
    "InboxOpen",
    "InboxReply",
    "Lanes",
    "LimitsStore",
    "NotYoursError",
    "Note",
    "OpeningHours",
    "PausedError",
    "QueueItem",
    "QuietLog",
    "Refer",
    "RiskUpdate",
    "Safety",
    "SetLimit",
    "StatsRangeError",
    "StatsReader",
    "StoredMessage",
    "Summary",
    "Transfer",
    "Typing",
    "UnknownRecordError",
    "Unwatch",
    "Watch",
    "Whisper",
    "Window",
    "as_hash",
    "counter_field",
    "day_key",
    "expires_at",
    "frames",
    "handover_text",
    "is_municipality",
    "label",
    "left_message_frame",
    "ordered_rows",
    "origin_allowed",
    "parse_console_frame",
    "parse_opening_hours",
    "parse_range",
    "receive_text_frames",
    "referral_label",
    "render_csv",
    "rfc3339",
    "running",
    "stockholm_day",
    "to_chat_staff",
    "to_staff",
    "to_visitor",
]
