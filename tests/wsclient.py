"""A minimal Streamlit client for load tests: opens a session over the server's WebSocket
(``/_stcore/stream``, loopback only), asks for one page run, and collects the texts and
exceptions it draws until the script finishes. One call = one page load without a browser."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class PageLoad:
    status: int  # ScriptFinishedStatus (0 = finished successfully)
    texts: list[str] = field(default_factory=list)  # markdown and headings, in order
    exceptions: list[str] = field(default_factory=list)


async def load(url: str, page: str = "", query: str = "", timeout: float = 120) -> PageLoad:
    """Run ``page`` (its URL path, "" for the default page) with ``query`` in a new session."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = PageLoad(status=-1)
    async with websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=timeout
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                what = element.WhichOneof("type")
                if what == "exception":
                    out.exceptions.append(element.exception.message)
                elif what in ("markdown", "heading"):
                    out.texts.append(getattr(element, what).body)
            elif kind == "script_finished":
                out.status = fm.script_finished
                return out


def load_many(url: str, pages: list[tuple[str, str]], concurrency: int = 4) -> list[PageLoad]:
    """Load every (page, query) with at most ``concurrency`` sessions at a time."""

    async def run() -> list[PageLoad]:
        gate = asyncio.Semaphore(concurrency)

        async def one(page: str, query: str) -> PageLoad:
            async with gate:
                return await load(url, page, query)

        return await asyncio.gather(*(one(p, q) for p, q in pages))

    return asyncio.run(run())
