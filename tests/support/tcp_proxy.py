"""A loopback TCP proxy whose network can go silent: connections stay open, bytes stop.

What a dropped route or a stalled firewall does to a long-lived connection, which a
closed socket (pg_terminate_backend) does not show: nothing tells the client."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit


class SilentableProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    @classmethod
    async def to(cls, url: str) -> "SilentableProxy":
        parts = urlsplit(url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        proxy._server = await asyncio.start_server(proxy._accept, "127.0.0.1", 0)
        proxy.port = proxy._server.sockets[0].getsockname()[1]
        return proxy

    def url(self, url: str) -> str:
        """`url` with its host and port replaced by this proxy's."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def silence(self) -> None:
        """Hold every byte from now on, on open and new connections alike, closing nothing."""
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._writers += [client_writer, server_writer]
        await asyncio.gather(self._pump(client_reader, server_writer), self._pump(server_reader, client_writer),
                             return_exceptions=True)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def close(self) -> None:
        self.flowing.set()
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            await self._server.wait_closed()
