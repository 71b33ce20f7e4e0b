"""Background loops that stop when asked, even if a library swallowed the cancellation.

redis-py may catch ``CancelledError`` inside a command (to drop its connection) without
re-raising it; a loop would then go on for ever and the server would never shut down. Each
loop checks ``running()`` between rounds: a cancel request stays visible on the task.
"""

from __future__ import annotations

import asyncio


def running() -> bool:
    """False once someone has asked the current task to stop."""
    task = asyncio.current_task()
    return task is None or task.cancelling() == 0
