"""A local stand-in for Twilio's REST API, for offline tests: it takes the
messages the phone channel sends (POST /2010-04-01/Accounts/<sid>/Messages.json),
keeps them per recipient, and answers as Twilio does. Point the channel at it
with TWILIO_API_URL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List
from urllib.parse import parse_qs


class TwilioStub:
    def __init__(self) -> None:
        self.sent: Dict[str, List[str]] = defaultdict(list)
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with stub.lock:
                    stub.sent[form.get("To", "")].append(form.get("Body", ""))
                sid = "SM" + uuid.uuid4().hex
                body = {
                    "sid": sid,
                    "account_sid": self.path.split("/")[3] if self.path.count("/") > 3 else "",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "num_segments": "1",
                    "direction": "outbound-api",
                    "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                    "uri": f"{self.path[: -len('.json')]}/{sid}.json",
                }
                data = json.dumps(body).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self, to: str) -> List[str]:
        """The messages sent to `to` since the last take."""
        with self.lock:
            return self.sent.pop(to, [])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
