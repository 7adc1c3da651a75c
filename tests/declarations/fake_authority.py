"""A fake ONSS web service on loopback, a real HTTP server in a thread (no mock objects).

POST /declarations files a message once per Idempotency-Key (a repeated key answers with the
declaration already filed); GET /declarations/<id> answers its status in the REST v2 shape. The
test steers it: `slow_posts` (the next POSTs are filed, then answered after `delay` seconds, so
the client times out), `fail_posts` (the next POSTs answer 503 without filing), `verdict`
("A" accepted, "B" refused, None: 404 not processed yet), `refuse_on_post` (400 with anomalies),
`garbled_status` (the status answered with these bytes: not an answer we can read),
`status_delay` (seconds each status answer takes). `gets` counts the status requests.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAuthority:
    def __init__(self, *, token: str | None = None):
        self.token = token
        self.filings: dict[str, dict] = {}  # idempotency key -> filing
        self.posts = 0
        self.slow_posts = 0
        self.delay = 0.0
        self.fail_posts = 0
        self.verdict: str | None = "A"
        self.refuse_on_post = False
        self.garbled_status: bytes | None = None  # the GET answers 200 with these bytes
        self.gets = 0
        self.status_delay = 0.0
        self.anomalies = [{"code": "00024-007", "label": "Het INSZ is onbekend"}]
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, data: dict | None = None, headers: dict | None = None):
                body = json.dumps(data or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if (
                    authority.token
                    and self.headers.get("Authorization") != f"Bearer {authority.token}"
                ):
                    return self._json(401, {"error": "unauthorized"})
                key = self.headers.get("Idempotency-Key", "")
                with authority._lock:
                    authority.posts += 1
                    if authority.fail_posts:
                        authority.fail_posts -= 1
                        return self._json(503, {"error": "busy"})
                    if authority.refuse_on_post:
                        return self._json(400, {"anomalies": authority.anomalies})
                    filing = authority.filings.get(key)
                    if filing is None:
                        filing = {
                            "id": str(next(authority._ids)),
                            "body": json.loads(body),
                            "key": key,
                        }
                        authority.filings[key] = filing
                    slow = authority.slow_posts > 0
                    if slow:
                        authority.slow_posts -= 1
                if slow:
                    time.sleep(authority.delay)
                self._json(201, {}, {"Location": f"/REST/dimona/v2/declarations/{filing['id']}"})

            def do_GET(self):
                with authority._lock:
                    authority.gets += 1
                if authority.status_delay:
                    time.sleep(authority.status_delay)
                declaration_id = self.path.rstrip("/").rsplit("/", 1)[-1]
                known = any(f["id"] == declaration_id for f in authority.filings.values())
                if not known or authority.verdict is None:
                    return self._json(404, {})
                if authority.garbled_status is not None:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(authority.garbled_status)))
                    self.end_headers()
                    self.wfile.write(authority.garbled_status)
                    return
                status = {
                    "result": authority.verdict,
                    "period": {"id": int(declaration_id) * 1000},
                    "anomalies": [],
                }
                if authority.verdict == "B":
                    status["anomalies"] = authority.anomalies
                    status["period"] = {}
                self._json(200, {"declarationId": declaration_id, "declarationStatus": status})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/REST/dimona/v2"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
