"""A local OpenAI-compatible chat server for tests: real HTTP, a reply function chosen by the test,
and a record of every request the model was sent.

The reply function returns the reply's text, or a Respond to script a fault: an HTTP status, a body that is
not a chat completion, a delay (a hung endpoint; released when the server stops). With streaming=True a
request asking to stream gets the text as server-sent events, in pieces."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Respond:
    """A scripted HTTP response instead of a chat completion."""

    status: int = 200
    body: bytes | str = b""
    delay: float = 0.0  # seconds before answering (a hung endpoint: longer than the client waits)
    content_type: str = "application/json"


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler for a hostile endpoint: HTTP/1.1 (a reply may stream), no log lines, and the request body
    read before the answer (read_body)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers["Content-Length"]))


class LocalEndpoint:
    """An HTTP endpoint on a free port of this machine, served from a thread while the `with` block runs; `stopped`
    is set when it ends (a handler that waits or sends without end stops then)."""

    stopped: threading.Event

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        # polled every 20 ms for the stop: the default half second was a wait at the end of every test using it
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


class FakeOpenAI(LocalEndpoint):
    def __init__(self, reply: Callable[[list[dict]], str | Respond], streaming: bool = False, piece_delay: float = 0.0):
        self.reply = reply
        self.requests: list[dict] = []
        self.streaming = streaming
        self.piece_delay = piece_delay  # seconds between streamed pieces (a model writing slowly)
        self.stopped = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                try:
                    content = outer.reply(body["messages"])
                except Exception as exc:  # noqa: BLE001 - surface the test's own failure to the client
                    content = f"FAKE SERVER ERROR: {exc!r}"
                if isinstance(content, Respond):
                    self._scripted(content)
                    return
                if body.get("stream") and outer.streaming:
                    self._stream(content, body["model"])
                    return
                payload = json.dumps(
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                    ensure_ascii=False,
                ).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _scripted(self, respond: Respond) -> None:
                if respond.delay and outer.stopped.wait(respond.delay):
                    return
                payload = respond.body.encode("utf-8") if isinstance(respond.body, str) else respond.body
                try:
                    self.send_response(respond.status)
                    self.send_header("Content-Type", respond.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting
                    pass

            def _stream(self, content: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [content[i : i + 8] for i in range(0, len(content), 8)]
                for piece in pieces:
                    if outer.piece_delay and outer.stopped.wait(outer.piece_delay):
                        return
                    chunk = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": model,
                        "choices": [
                            {"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                done = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

        self.serve(Handler)
