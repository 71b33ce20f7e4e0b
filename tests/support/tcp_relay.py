"""A TCP forwarder on a loopback port, standing where a load balancer would: the browser
keeps one address while the process behind it changes, and the test decides what the
connections in between still carry.

Real sockets and real bytes: nothing here speaks HTTP or WebSocket. Going deaf or cut off
drops bytes on the floor, as a network that fails does; a dead upstream closes the
downstream, as a proxy does.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Final

CHUNK: Final = 65536


@dataclass(eq=False)
class _Link:
    """One browser connection and its upstream."""

    down: asyncio.StreamWriter
    up: asyncio.StreamWriter
    deaf: bool = False  # bytes from the server to the browser are dropped
    mute: bool = False  # bytes from the browser to the server are dropped

    def close(self) -> None:
        for writer in (self.down, self.up):
            with contextlib.suppress(Exception):
                writer.close()


@dataclass(eq=False)
class TcpRelay:
    """Forward ``127.0.0.1:port`` to ``127.0.0.1:target_port``."""

    target_port: int
    port: int = 0
    refusing: bool = False  # new connections are closed at once (a proxy with no upstream)
    _server: asyncio.Server | None = None
    _links: set[_Link] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> TcpRelay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def retarget(self, port: int) -> None:
        """New connections go to ``port``; open ones stay where they are."""
        self.target_port = port

    def go_deaf(self) -> None:
        """The open connections stop carrying anything to the browser."""
        for link in self._links:
            link.deaf = True

    def cut_off(self) -> None:
        """The open connections stop carrying anything either way (they stay open)."""
        for link in self._links:
            link.deaf = link.mute = True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        link = _Link(down=writer, up=up_writer)
        self._links.add(link)
        to_server = asyncio.ensure_future(self._pump(reader, link, toward_server=True))
        to_browser = asyncio.ensure_future(self._pump(up_reader, link, toward_server=False))
        for task in (to_server, to_browser):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await asyncio.wait([to_server, to_browser], return_when=asyncio.FIRST_COMPLETED)
        link.close()
        self._links.discard(link)

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, link: _Link, *, toward_server: bool) -> None:
        """Copy until either side ends; a dropped direction reads and forgets."""
        writer = link.up if toward_server else link.down
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                if link.mute if toward_server else link.deaf:
                    continue
                writer.write(data)
                await writer.drain()
