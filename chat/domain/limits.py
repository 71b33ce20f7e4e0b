"""Every limit of the chat core, named once: sizes, counts and bounds that the server enforces.

The modules that enforce them import them from here and keep re-exporting them under their
old names (``chat.wire.inbound.MAX_TEXT_CHARS``,
``chat.stores.returncode_store.MAX_SUMMARY_CHARS``, ...),
so code that imports them from there still works. The visitor's page gets the ones it needs
as data (``#page-data``, chat/web/visit_page.py), never as numbers written into its scripts.
Tunable limits (queue length, sessions per code, rates) are settings: chat/domain/config.py.
"""

from __future__ import annotations

from typing import Final

# -- frames (protocol.md) ------------------------------------------------------------------
#: Largest frame; bigger ones close the socket with 1009.
MAX_FRAME_BYTES: Final = 16 * 1024
#: Longest chat message, note, left message or reply, in code points.
MAX_TEXT_CHARS: Final = 4000
MAX_CLIENT_ID_CHARS: Final = 128
MAX_ID_CHARS: Final = 128
MAX_TOKEN_CHARS: Final = 256
#: Longest return code accepted as input. A code is at most about 55 characters; the bound
#: leaves room for generous spacing and stops a megabyte "code" from costing CPU.
MAX_RETURN_CODE_CHARS: Final = 200
MAX_REASONS: Final = 20
MAX_SURVEY_ANSWERS: Final = 30
MAX_SURVEY_VALUE_CHARS: Final = 1000
#: Longest counsellor summary for the next counsellor: a few lines, not a case file.
MAX_SUMMARY_CHARS: Final = 2000

# -- return codes ---------------------------------------------------------------------------
#: Longest left message or reply: the same bound as a chat message.
MAX_LEFT_MESSAGE_CHARS: Final = MAX_TEXT_CHARS
#: Messages kept per record, oldest dropped first, so one code cannot fill Redis.
MAX_THREAD_MESSAGES: Final = 50
#: Most records listed at once in the console's list of unanswered messages.
INBOX_LIST_LIMIT: Final = 200

# -- the socket and the store ---------------------------------------------------------------
#: Frames a socket's outbox holds before the client counts as not reading.
OUTBOX_MAX_FRAMES: Final = 1000
#: Waiting chats listed per channel in the console's `queue`.
QUEUE_PREVIEW_LIMIT: Final = 50
#: Return-code checks one visitor connection may make.
MAX_CODE_CHECKS_PER_CONNECTION: Final = 10
