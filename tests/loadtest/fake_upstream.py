#!/usr/bin/env python3
"""A fake OpenAI-compatible streaming server for `dsinfer loadtest` tests (standard library only).

One asyncio event loop serves every connection (HTTP/1.1, keep-alive, chunked SSE), so it can
hold a thousand concurrent streams. Each generation request gets a behaviour:

  ok         200, --tokens content events --interval-ms apart, a usage event, data: [DONE]
  drop       200, two content events, then the connection is reset
  http500    500 with an OpenAI error object
  http429    429 with Retry-After
  stall      200, one content event, then silence (never ends)
  malformed  200, an event that is not JSON
  nodone     200, content events, then the body ends without data: [DONE]

--mode picks one for every request, or `mixed` cycles through all of them in the order above.
Also served: GET /v1/models, POST /tokenize (one token per whitespace-separated word, plus one
for BOS or three for the chat template), GET /stats (requests per behaviour, as JSON).

Usage: fake_upstream.py --port-file FILE [--port 0] [--mode mixed] [--tokens 5] [--interval-ms 20]
"""
import argparse
import asyncio
import json
import os
import signal
import sys

CYCLE = ["ok", "drop", "http500", "http429", "stall", "malformed", "nodone"]


class Upstream:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.stats = {b: 0 for b in CYCLE}
        self.open_streams = 0
        self.max_open_streams = 0

    def behaviour(self):
        n = self.count
        self.count += 1
        b = CYCLE[n % len(CYCLE)] if self.args.mode == "mixed" else self.args.mode
        self.stats[b] += 1
        return b

    @staticmethod
    def chunk(data):
        return b"%x\r\n%s\r\n" % (len(data), data)

    def event(self, obj):
        payload = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
        return self.chunk(("data: " + payload + "\n\n").encode())

    @staticmethod
    def response(status, reason, body, extra=""):
        data = body.encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{extra}"
                f"Content-Length: {len(data)}\r\n\r\n")
        return head.encode() + data

    def content(self, chat):
        if chat:
            return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": " tok"}}]}
        return {"object": "text_completion", "choices": [{"index": 0, "text": " tok"}]}

    async def stream(self, writer, behaviour, chat, prompt_tokens):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        self.open_streams += 1
        self.max_open_streams = max(self.max_open_streams, self.open_streams)
        try:
            tokens = {"ok": self.args.tokens, "nodone": self.args.tokens, "drop": 2, "stall": 1,
                      "malformed": 1}[behaviour]
            if chat:
                writer.write(self.event({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}))
            for i in range(tokens):
                writer.write(self.event(self.content(chat)))
                await writer.drain()
                if i + 1 < tokens or behaviour in ("ok", "nodone"):
                    await asyncio.sleep(self.args.interval_ms / 1000.0)
            if behaviour == "drop":
                writer.transport.abort()
                return False
            if behaviour == "stall":
                await asyncio.sleep(3600)
                return False
            if behaviour == "malformed":
                writer.write(self.event("{this is not json"))
            if behaviour == "ok":
                writer.write(self.event({"choices": [], "usage": {"prompt_tokens": prompt_tokens,
                                                                    "completion_tokens": tokens,
                                                                    "total_tokens": prompt_tokens + tokens}}))
            if behaviour != "nodone":
                writer.write(self.event("[DONE]"))
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        finally:
            self.open_streams -= 1

    @staticmethod
    def count_words(request):
        if "messages" in request:
            return sum(len(str(m.get("content", "")).split()) for m in request["messages"]) + 3
        return len(str(request.get("prompt", "")).split()) + (1 if request.get("add_special_tokens", True) else 0)

    async def route(self, method, path, body, writer):
        if method == "GET" and path == "/v1/models":
            writer.write(self.response(200, "OK", json.dumps({"object": "list", "data": [{"id": "fake-model"}]})))
            return True
        if method == "GET" and path == "/stats":
            stats = dict(self.stats, requests=self.count, max_open_streams=self.max_open_streams)
            writer.write(self.response(200, "OK", json.dumps(stats)))
            return True
        if method == "POST" and path == "/tokenize":
            count = self.count_words(json.loads(body or b"{}"))
            writer.write(self.response(200, "OK", json.dumps({"count": count, "tokens": list(range(count))})))
            return True
        if method == "POST" and path in ("/v1/chat/completions", "/v1/completions"):
            request = json.loads(body or b"{}")
            b = self.behaviour()
            if b == "http500":
                writer.write(self.response(500, "Internal Server Error",
                                           json.dumps({"error": {"message": "fake failure", "type": "server_error"}})))
                return True
            if b == "http429":
                writer.write(self.response(429, "Too Many Requests",
                                           json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}),
                                           "Retry-After: 1\r\n"))
                return True
            return await self.stream(writer, b, path.endswith("chat/completions"), self.count_words(request))
        writer.write(self.response(404, "Not Found", json.dumps({"error": {"message": "no route " + path}})))
        return True

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                if not await self.route(method, target.split("?")[0], body, writer):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--mode", default="mixed", choices=CYCLE + ["mixed"])
    parser.add_argument("--tokens", type=int, default=5)
    parser.add_argument("--interval-ms", type=float, default=20)
    args = parser.parse_args()
    upstream = Upstream(args)
    server = await asyncio.start_server(upstream.handle, args.host, args.port, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    sys.exit(0)


if __name__ == "__main__":
    asyncio.run(main())
