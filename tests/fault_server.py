"""A fault-injecting OpenAI-compatible chat server on loopback, for the backend-failure tests.

``FaultServer.script`` is a list of faults, one per request (the last repeats): ``ok``
(a valid reply whose content is ``{}``), an HTTP status (``401``, ``429``, ``500``...), or
the name of a malformed 200 reply. Requests are logged with their arrival times.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "fake",
         "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 11, "completion_tokens": 1, "total_tokens": 12}}
MALFORMED = {
    "no_choices": {"id": "chatcmpl-1", "object": "chat.completion"},
    "empty_choices": {**REPLY, "choices": []},
    "no_message": {**REPLY, "choices": [{"index": 0, "finish_reason": "stop"}]},
    "wrong_types": {**REPLY, "choices": [{"index": 0, "message": {"role": "assistant", "content": 5}}]},
    "not_json": "<html>502 from a proxy</html>",
}
ERRORS = {401: ("Incorrect API key provided", "invalid_api_key"), 404: ("The model 'fake' does not exist", "model_not_found"),
          400: ("Invalid type for 'messages'", "invalid_request"), 429: ("Rate limit reached", "rate_limit"),
          500: ("The server had an error", "server_error")}


class FaultServer:
    def __init__(self) -> None:
        self.script: list = ["ok"]
        self.headers: dict[str, str] = {}  # extra headers on error replies (e.g. Retry-After)
        self.arrivals: list[float] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length", 0)))
                index = len(server.arrivals)
                server.arrivals.append(time.monotonic())
                fault = server.script[min(index, len(server.script) - 1)]
                if fault == "ok":
                    self._send(200, REPLY)
                elif fault in MALFORMED:
                    self._send(200, MALFORMED[fault])
                else:
                    message, code = ERRORS[fault]
                    self._send(fault, {"error": {"message": message, "type": "error", "code": code}}, server.headers)

            def _send(self, status, body, headers=None):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
