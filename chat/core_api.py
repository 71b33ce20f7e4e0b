"""What the staff side may use of the chat's pure core: states, records, frames, counts, texts.

No module behind these names does I/O, so the console's own pure logic
(counsellor_console/domain/) may import this and stay sans-I/O; the rest of chat is in
chat/api.py. import-linter holds both ("the console reaches the chat through chat.api and
chat.core_api"). A name joins when the console needs it, not before.
"""

from __future__ import annotations

from chat.domain.config import MAX_CHAT_LIMIT
from chat.domain.hours import HoursFormatError, OpeningHours, Window, parse_opening_hours
from chat.domain.languages import LANGUAGE_CODES, LANGUAGES
from chat.domain.limits import MAX_SUMMARY_CHARS, MAX_TEXT_CHARS
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
    "CONTACTS",
    "CONTACTS_CHANNEL",
    "CONTACTS_TOPIC",
    "END_REASON",
    "LANGS",
    "LANGUAGES",
    "LANGUAGE_CODES",
    "MAX_CHAT_LIMIT",
    "MAX_SUMMARY_CHARS",
    "MAX_TEXT_CHARS",
    "NOT_GIVEN",
    "STATS_RETENTION_DAYS",
    "STATS_ZONE",
    "SUPPRESSED",
    "SUPPRESSION_THRESHOLD",
    "TOPICS",
    "VISITOR_LEFT",
    "WITHHELD",
    "Accept",
    "Block",
    "Catalogues",
    "ChatRecord",
    "ChatState",
    "ConsoleEnd",
    "ConsoleFrame",
    "ConsoleMsg",
    "DayRange",
    "Direction",
    "Escalate",
    "FrameError",
    "Heavy",
    "HoursFormatError",
    "InboxList",
    "InboxOpen",
    "InboxReply",
    "Note",
    "OpeningHours",
    "QueueItem",
    "Refer",
    "RiskUpdate",
    "SetLimit",
    "StatsRangeError",
    "StoredMessage",
    "Summary",
    "Transfer",
    "Typing",
    "Unwatch",
    "Watch",
    "Whisper",
    "Window",
    "counter_field",
    "expires_at",
    "frames",
    "handover_text",
    "is_municipality",
    "label",
    "ordered_rows",
    "parse_console_frame",
    "parse_opening_hours",
    "parse_range",
    "referral_label",
    "render_csv",
    "rfc3339",
    "stockholm_day",
]
