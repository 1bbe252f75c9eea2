"""A real HTTP server on 127.0.0.1, in a thread, that plays the DingTalk custom robot and the WeCom group robot:
it checks DingTalk's signature, records the JSON bodies, and can be told to fail (HTTP 500 or 429, an errcode, or
no answer until the client times out), as a whole or one robot ("dingtalk", "wecom") at a time."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tadiao.notifications import services

SECRET = "SECtest0123456789abcdef"


class FakeRobot:
    def __init__(self):
        self.received: list[dict] = []  # {"robot", "query", "json"} per request, in order
        self.mode = "ok"  # "ok" | "500" | "429" | "errcode" | "timeout"
        self.modes: dict[str, str] = {}  # per robot kind, overriding `mode`
        self.errcode = 310000  # answered in "errcode" mode
        self.secret = SECRET
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                kind = {"/robot/send": "dingtalk", "/cgi-bin/webhook/send": "wecom"}.get(url.path, "")
                with robot.lock:
                    robot.received.append({"robot": kind, "query": query, "json": body})
                    mode = robot.modes.get(kind, robot.mode)
                if mode == "timeout":
                    time.sleep(1.5)
                    return self._answer(200, {"errcode": 0, "errmsg": "ok"})
                if mode in ("500", "429"):
                    return self._answer(int(mode), {"message": "refused"})
                if mode == "errcode":
                    return self._answer(200, {"errcode": robot.errcode, "errmsg": f"refused with {robot.errcode}"})
                if not kind:
                    return self._answer(404, {})
                if kind == "dingtalk" and robot.secret and not robot.signature_ok(query):
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def signature_ok(self, query: dict) -> bool:
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        digest = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        return bool(timestamp) and hmac.compare_digest(sign, base64.b64encode(digest).decode())

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base}/robot/send?access_token=abc123"

    @property
    def wecom_url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key=k-123"

    def requests(self, robot: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.received if robot is None or r["robot"] == robot)

    def texts(self, robot: str | None = None) -> list[str]:
        with self.lock:
            return [r["json"]["text"]["content"] for r in self.received if robot is None or r["robot"] == robot]


@pytest.fixture
def robot(monkeypatch):
    fake = FakeRobot()
    fake.thread.start()
    monkeypatch.setattr(services, "HTTP_TIMEOUT", 0.5)  # the "timeout" mode answers after 1.5 s
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
