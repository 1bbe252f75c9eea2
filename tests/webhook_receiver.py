"""A subscriber of Webhook events on 127.0.0.1 (a real HTTP server in a thread): it records each POST's headers
and raw body, and answers the statuses it is told to (one per request, then 200). Used by the notifications tests
and by each emitting app's test (`receiver` fixture: import receiver_fixture into the test module)."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tadiao.notifications.models import Channel

SECRET = "whsec-test-0123456789"


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict] = []  # {"path", "headers", "raw"} per request, in order
        self.statuses: list[int] = []  # answered in order, one per request; 200 once used up
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append({"path": self.path, "headers": dict(self.headers), "raw": raw})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tadiao"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(r["raw"]) for r in self.received]

    @staticmethod
    def signature_ok(request: dict, secret: str = SECRET) -> bool:
        """Computed here, independently of the code under test: hex HMAC-SHA256 of the raw body."""
        expected = "sha256=" + hmac.new(secret.encode(), request["raw"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(request["headers"].get("X-Tadiao-Signature", ""), expected)


@pytest.fixture(name="receiver")
def receiver_fixture():
    fake = Receiver()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def subscribe(receiver: Receiver, events: list[str], *, name: str = "外部系统", enabled: bool = True) -> Channel:
    return Channel.objects.create(
        type=Channel.Type.WEBHOOK, name=name, webhook_url=receiver.url, secret=SECRET, events=events, enabled=enabled
    )
