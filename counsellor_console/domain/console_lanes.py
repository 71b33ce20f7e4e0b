"""Which lane (chat.live.lanes) a console's frame is handled in.

A console carries many chats: each chat's frames go in that chat's own lane, so they keep
their order while a Redis round trip for one chat no longer holds up the others. Frames that
concern the console as a whole (the inbox, and anything without a chat) share one lane,
``None``, and so do ``accept``s: a counsellor's accepts count against the counsellor's own
limit of chats, so they are taken one at a time.
"""

from __future__ import annotations

from typing import Final

from chat.core_api import Accept, ConsoleFrame

# A console's frames waiting to be handled: past the first the reader slows down (for at most
# chat.live.lanes.HOLD_SECS at a time), past the second a frame is refused with `rate_limited`.
# The console's rate (100 frames/s, burst 200) fits under the second.
CONSOLE_BACKLOG: Final = 256
CONSOLE_BACKLOG_MAX: Final = 1024


def lane_of(frame: ConsoleFrame) -> str | None:
    if isinstance(frame, Accept):
        return None
    chat = getattr(frame, "chat", None)
    return chat if isinstance(chat, str) else None
