"""A scriptable HTTP receiver on loopback for the HTTP sink's tests and bench.

Each POST to the event path takes the next action of the script (then the
default action): answer 200 (format-aware: an Elasticsearch _bulk response
with per-item results, a Splunk HEC response with an ackId), answer a status
with an optional Retry-After, reset the connection mid-request, stall past
the client's timeout, or answer a _bulk request with scripted per-item
statuses. It records every request and keeps the events it "stored", so a
test can check that none was lost and count duplicates. Elasticsearch
semantics are kept for es-bulk: a create of an _id already stored is 409.

Actions: "ok", "status:N[:RETRY_AFTER]", "reset", "ok-then-reset" (stores,
then resets: the client never learns it succeeded), "stall:SECONDS",
"bulk:S1,S2,..." (statuses cycled over the items; 409 stores the item).
Also max_events: a request carrying more events is answered 413.

Run standalone (for the bench): python3 http_receiver.py [--port N] [--format F]
answers "ok" to everything and prints the port.
"""
import gzip
import http.server
import json
import socket
import ssl
import struct
import sys
import threading
import time


def split_events(fmt, body):
    """The event JSON texts (as str) a request body carries, and bulk _ids."""
    text = body.decode("utf-8")
    if fmt == "json":
        return [json.dumps(e, separators=(",", ":")) for e in json.loads(text)], None
    lines = [l for l in text.split("\n") if l]
    if fmt == "es-bulk":
        if len(lines) % 2:
            raise ValueError("odd number of bulk lines")
        actions = [json.loads(l) for l in lines[0::2]]
        return lines[1::2], actions
    if fmt == "splunk-hec":
        out = []
        for l in lines:
            o = json.loads(l)
            out.append(json.dumps(o["event"], separators=(",", ":")))
        return out, [json.loads(l) for l in lines]
    return lines, None


class Receiver:
    def __init__(self, fmt="ndjson", tls=None, max_events=0, ack_after=1, quiet=True, port=0):
        self.fmt = fmt
        self.script = []
        self.default = "ok"
        self.max_events = max_events
        self.ack_after = ack_after
        self.requests = []  # dicts: action, status, n, headers
        self.stored = []  # event texts, in the order stored
        self.ids = {}  # es-bulk _id -> index
        self.indices = set()
        self.acks = {}  # HEC ackId -> polls seen
        self.next_ack = 0
        self.lock = threading.Lock()
        self.count_only = False
        self.counted = 0
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                if not quiet:
                    super().log_message(*a)

            def do_POST(self):
                recv._handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path="/ingest", scheme="http", host="127.0.0.1"):
        return "%s://%s:%d%s" % (scheme, host, self.port, path)

    # --- one request ---

    def _reply(self, h, status, body=b"", headers=None):
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _reset(self, h):
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True

    def _handle(self, h):
        n = int(h.headers.get("Content-Length", "0"))
        if h.path.endswith("/services/collector/ack"):
            return self._hec_ack(h, h.rfile.read(n))
        with self.lock:
            action = self.script.pop(0) if self.script else self.default
        if action == "reset":
            h.rfile.read(min(n, 100))
            with self.lock:
                self.requests.append({"action": action, "status": None, "n": None})
            return self._reset(h)
        raw = h.rfile.read(n)
        if self.count_only:
            body = gzip.decompress(raw) if h.headers.get("Content-Encoding") == "gzip" else raw
            n = body.count(b"\n") // (2 if self.fmt == "es-bulk" else 1)
            with self.lock:
                self.counted += n
            out = b"{}"
            if self.fmt == "es-bulk":
                out = (b'{"took":1,"errors":false,"items":[' +
                       b",".join([b'{"create":{"status":201}}'] * n) + b"]}")
            return self._reply(h, 200, out)
        body = gzip.decompress(raw) if h.headers.get("Content-Encoding") == "gzip" else raw
        events, meta = split_events(self.fmt, body)
        rec = {"action": action, "status": None, "n": len(events),
               "headers": dict(h.headers.items()), "bytes": len(raw)}
        with self.lock:
            self.requests.append(rec)
        if action.startswith("stall:"):
            time.sleep(float(action.split(":")[1]))
            return self._reset(h)
        if self.max_events and len(events) > self.max_events:
            rec["status"] = 413
            return self._reply(h, 413, b"request entity too large")
        if action.startswith("status:"):
            parts = action.split(":")
            rec["status"] = int(parts[1])
            hdr = {"Retry-After": parts[2]} if len(parts) > 2 else {}
            return self._reply(h, int(parts[1]), b"error %s from the test receiver" %
                               parts[1].encode(), hdr)
        statuses = None
        if action.startswith("bulk:"):
            statuses = [int(s) for s in action[5:].split(",")]
        rec["status"] = 200
        out = self._store(events, meta, statuses, h)
        if action == "ok-then-reset":
            return self._reset(h)
        self._reply(h, 200, out, {"Content-Type": "application/json"})

    def _store(self, events, meta, statuses, h):
        with self.lock:
            if self.fmt == "es-bulk":
                items = []
                for i, (ev, act) in enumerate(zip(events, meta)):
                    c = act["create"]
                    st = statuses[i % len(statuses)] if statuses else 201
                    if st in (201, 409) and c["_id"] in self.ids:
                        st = 409
                    elif st in (201, 409):
                        self.ids[c["_id"]] = len(self.stored)
                        self.stored.append(ev)
                        self.indices.add(c.get("_index"))
                    item = {"_index": c.get("_index", "default"), "_id": c["_id"], "status": st}
                    if st >= 300:
                        item["error"] = {"type": "test_error", "reason": "scripted %d" % st}
                    items.append({"create": item})
                errors = any(it["create"]["status"] >= 300 for it in items)
                return json.dumps({"took": 1, "errors": errors, "items": items}).encode()
            self.stored.extend(events)
            if self.fmt == "splunk-hec":
                self.next_ack += 1
                self.acks[self.next_ack] = 0
                return json.dumps({"text": "Success", "code": 0, "ackId": self.next_ack}).encode()
            return b'{"ok":true}'

    def _hec_ack(self, h, raw):
        ids = json.loads(raw)["acks"]
        res = {}
        with self.lock:
            self.requests.append({"action": "ack", "status": 200, "n": 0,
                                  "headers": dict(h.headers.items())})
            for i in ids:
                self.acks[i] = self.acks.get(i, 0) + 1
                res[str(i)] = self.acks[i] >= self.ack_after
        self._reply(h, 200, json.dumps({"acks": res}).encode())


def main():
    port = 0
    fmt = "ndjson"
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--format":
            fmt = args.pop(0)
    r = Receiver(fmt=fmt)
    r.count_only = True
    r.start()
    print(r.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
