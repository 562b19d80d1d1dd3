"""The single reader of receive() (reference_app/channel.py).

Bug classes G and H: body chunks lost to a second reader, the final empty chunk skipped, more
body accepted after the end, a disconnect hidden from the handler.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from reference_app.channel import ReceiveChannel


def feeder(*events: dict[str, Any]) -> Any:
    queue: list[dict[str, Any]] = list(events)
    calls: list[int] = []

    async def receive() -> dict[str, Any]:
        calls.append(1)
        await asyncio.sleep(0)
        if queue:
            return queue.pop(0)
        await asyncio.Event().wait()  # blocks, like a real server after the body
        raise AssertionError

    receive.calls = calls  # type: ignore[attr-defined]
    return receive


def test_concurrent_consumers_share_one_receive_and_lose_no_chunk() -> None:
    receive = feeder(
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.request", "body": b"b", "more_body": False},
        {"type": "http.disconnect"},
    )

    async def scenario() -> list[bytes]:
        channel = ReceiveChannel(receive)
        # Two consumers at once, like a disconnect watcher next to a body reader.
        watcher = asyncio.ensure_future(channel.receive())
        reader = asyncio.ensure_future(channel.receive())
        first, second = await asyncio.gather(watcher, reader)
        assert first is second  # the same event, delivered to both
        while not channel.body_complete:
            await channel.receive()
        chunks = []
        while (chunk := channel.take_chunk()) is not None:
            chunks.append(chunk)
        await channel.receive()
        assert channel.disconnected
        assert (await channel.receive())["type"] == "http.disconnect"  # remembered, not re-asked
        await channel.aclose()
        return chunks

    assert asyncio.run(scenario()) == [b"a", b"b"]
    assert len(receive.calls) == 3


def test_body_after_the_end_is_ignored_and_limit_drops_chunks() -> None:
    receive = feeder(
        {"type": "http.request", "body": b"abc", "more_body": True},
        {"type": "http.request", "body": b"def"},
        {"type": "http.request", "body": b"late"},
    )

    async def scenario() -> ReceiveChannel:
        channel = ReceiveChannel(receive, max_body_size=4)
        for _ in range(3):
            await channel.receive()
        return channel

    channel = asyncio.run(scenario())
    assert channel.too_large and channel.body_complete
    assert channel.take_chunk() is None


def test_invalid_body_type_raises() -> None:
    async def scenario() -> None:
        channel = ReceiveChannel(feeder({"type": "http.request", "body": "text"}))
        await channel.receive()

    with pytest.raises(TypeError, match="bytes"):
        asyncio.run(scenario())


def test_poll_does_not_block_and_aclose_cancels_the_pending_receive() -> None:
    async def scenario() -> None:
        channel = ReceiveChannel(feeder())
        await channel.poll()  # nothing is coming: returns at once
        assert not channel.disconnected
        await channel.aclose()

    asyncio.run(asyncio.wait_for(scenario(), 5))
