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

The receiver refuses what the real receivers refuse, before any scripted
action, so a sink that sends a malformed body fails its test even when its
own retry would hide the refusal (every refusal is kept in `malformed`):

- max_body (bytes, 0: no limit), as Elasticsearch's http.max_content_length
  (default 100mb) or Splunk's max_content_length: a larger body is answered
  413 with an empty body and the connection is closed, as Netty's
  HttpObjectAggregator does for Elasticsearch. Elasticsearch decompresses
  before that check, so the limit applies to the decoded body.
- es-bulk bodies are read as Elasticsearch's BulkRequestParser reads them
  (server/.../action/bulk/BulkRequestParser.java, ES 9, where unknown
  actions became errors) and refused with its 400 and error body, shaped
  {"error":{"root_cause":[{"type":T,"reason":R}],"type":T,"reason":R},
  "status":400}: a body that does not end with "\n" ("The bulk request must
  be terminated by a newline [\\n]", the Bulk API reference: "the final
  line of data must end with a newline character"), an action line that is
  not an object ("Malformed action/metadata line [N], expected START_OBJECT
  but found [VALUE_STRING]"), an unknown action ("... expected field
  [create], [delete], [index] or [update] but found [X]"), more than one key
  ("... expected END_OBJECT but found [FIELD_NAME]"), an unknown metadata
  parameter ("Action/metadata line [N] contains an unknown parameter [X]").
  A last action without its document line is dropped by Elasticsearch
  (the parser stops there; with nothing left: "Validation Failed: 1: no
  requests added;"), so the response has fewer items than the request had
  actions; the receiver does the same and notes it in `malformed`.
- splunk-hec bodies (a stream of JSON objects) are read as HEC reads them
  and refused with its documented 400 answers: {"text":"No data","code":5},
  {"text":"Invalid data format","code":6,"invalid-event-number":N},
  {"text":"Event field is required","code":12,...}, {"text":"Event field
  cannot be blank","code":13,...}, and, with indexer acknowledgement on
  (hec_ack), {"text":"Data channel is missing","code":10} when the
  X-Splunk-Request-Channel header is missing.

Run standalone (for the bench): python3 http_receiver.py [--port N] [--format F]
answers "ok" to everything and prints the port.
"""
import gzip
import http.client
import http.server
import json
import socket
import ssl
import struct
import sys
import threading
import time


def is_object(text):
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


class Refused(Exception):
    """A body the real receiver refuses: status and the JSON body it sends."""

    def __init__(self, status, body, why):
        super().__init__(why)
        self.status = status
        self.body = body


def es_error(reason, etype="illegal_argument_exception", status=400):
    cause = {"type": etype, "reason": reason}
    return Refused(status, {"error": {"root_cause": [cause], "type": etype, "reason": reason},
                            "status": status}, reason)


def json_token(v):
    """The Jackson token Elasticsearch names for a JSON value."""
    if isinstance(v, dict):
        return "START_OBJECT"
    if isinstance(v, list):
        return "START_ARRAY"
    if isinstance(v, str):
        return "VALUE_STRING"
    if isinstance(v, bool):
        return "VALUE_BOOLEAN"
    if v is None:
        return "VALUE_NULL"
    return "VALUE_NUMBER"


ES_ACTIONS = ("create", "delete", "index", "update")
ES_PARAMS = ("_index", "_id", "routing", "op_type", "version", "version_type",
             "retry_on_conflict", "pipeline", "_source", "if_seq_no", "if_primary_term",
             "require_alias", "dynamic_templates", "list_executed_pipelines", "require_data_stream")


def parse_bulk(text):
    """(documents, actions, dropped) of an es-bulk body, or raises Refused.

    Documents are the source lines (str) of the create/index actions, actions
    their {"create": {...}} objects; dropped is True when a last action had
    no document line (Elasticsearch ignores it)."""
    if not text:
        raise es_error("request body is required", "parse_exception")
    if not text.endswith("\n"):
        raise es_error("The bulk request must be terminated by a newline [\\n]")
    lines = text.split("\n")[:-1]
    docs, actions, dropped = [], [], False
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        n = i + 1
        i += 1
        if not line.strip():
            continue
        try:
            act = json.loads(line)
        except ValueError as e:
            raise es_error("Failed to parse action/metadata line [%d]: %s" % (n, e),
                           "x_content_parse_exception")
        pre = "Malformed action/metadata line [%d], " % n
        if not isinstance(act, dict):
            raise es_error(pre + "expected START_OBJECT but found [%s]" % json_token(act))
        if not act:
            raise es_error(pre + "expected FIELD_NAME but found [END_OBJECT]")
        name, meta = next(iter(act.items()))
        if name not in ES_ACTIONS:
            raise es_error(pre + "expected field [create], [delete], [index] or [update] "
                           "but found [%s]" % name)
        if not isinstance(meta, dict):
            raise es_error(pre + "expected START_OBJECT or END_OBJECT but found [%s]"
                           % json_token(meta))
        for k in meta:
            if k not in ES_PARAMS:
                raise es_error("Action/metadata line [%d] contains an unknown parameter [%s]"
                               % (n, k))
        if len(act) > 1:
            raise es_error(pre + "expected END_OBJECT but found [FIELD_NAME]")
        if name == "delete":
            continue
        if i >= len(lines):
            dropped = True
            break
        docs.append(lines[i].rstrip("\r"))
        actions.append(act)
        i += 1
    if not actions:
        raise es_error("Validation Failed: 1: no requests added;",
                       "action_request_validation_exception")
    return docs, actions, dropped


def hec_error(text, code, event=None):
    body = {"text": text, "code": code}
    if event is not None:
        body["invalid-event-number"] = event
    return Refused(503 if code == 9 else 400, body, text)


def parse_hec(text):
    """The HEC event objects of a body (a stream of JSON objects), or raises
    Refused as Splunk's /services/collector/event does."""
    dec = json.JSONDecoder()
    out = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        try:
            obj, pos = dec.raw_decode(text, pos)
        except ValueError:
            raise hec_error("Invalid data format", 6, len(out))
        if not isinstance(obj, dict):
            raise hec_error("Invalid data format", 6, len(out))
        if "event" not in obj:
            raise hec_error("Event field is required", 12, len(out))
        ev = obj["event"]
        if ev is None or (isinstance(ev, str) and not ev.strip()) or ev == {}:
            raise hec_error("Event field cannot be blank", 13, len(out))
        out.append(obj)
    if not out:
        raise hec_error("No data", 5)
    return out


def split_events(fmt, body):
    """The event JSON texts (as str) a request body carries, the bulk or HEC
    metadata, and whether the receiver dropped a part; raises Refused."""
    text = body.decode("utf-8")
    if fmt == "json":
        return [json.dumps(e, separators=(",", ":")) for e in json.loads(text)], None, False
    if fmt == "es-bulk":
        return parse_bulk(text)
    if fmt == "splunk-hec":
        objs = parse_hec(text)
        return [json.dumps(o["event"], separators=(",", ":")) for o in objs], objs, False
    return [l for l in text.split("\n") if l], None, False


class Receiver:
    def __init__(self, fmt="ndjson", tls=None, max_body=0, ack_after=1, hec_ack=True,
                 quiet=True, port=0):
        self.fmt = fmt
        self.script = []
        self.default = "ok"
        self.max_body = max_body
        self.ack_after = ack_after
        self.hec_ack = hec_ack
        self.requests = []  # dicts: action, status, n, headers, bytes, events, error
        self.malformed = []  # why each refused or partly dropped body was
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
        rec = {"action": action, "status": None, "n": None, "events": [],
               "headers": dict(h.headers.items()), "bytes": len(raw), "decoded": len(body)}
        with self.lock:
            self.requests.append(rec)
        if self.max_body and len(body) > self.max_body:
            rec["status"] = 413
            h.close_connection = True
            return self._reply(h, 413, b"", {"Connection": "close"})
        try:
            if (self.fmt == "splunk-hec" and self.hec_ack and
                    not h.headers.get("X-Splunk-Request-Channel")):
                raise hec_error("Data channel is missing", 10)
            events, meta, dropped = split_events(self.fmt, body)
        except Refused as e:
            rec["status"] = e.status
            rec["error"] = str(e)
            with self.lock:
                self.malformed.append(str(e))
            return self._reply(h, e.status, json.dumps(e.body).encode(),
                               {"Content-Type": "application/json"})
        if dropped:
            with self.lock:
                self.malformed.append("a last action without its document line")
        rec["n"] = len(events)
        rec["events"] = events
        if action.startswith("stall:"):
            time.sleep(float(action.split(":")[1]))
            return self._reset(h)
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
                    name, c = next(iter(act.items()))
                    _id = c.get("_id") or "auto-%d" % len(self.stored)
                    st = statuses[i % len(statuses)] if statuses else 201
                    err = {"type": "test_error", "reason": "scripted %d" % st}
                    if not is_object(ev):
                        # Elasticsearch fails that one document, not the request.
                        st = 400
                        err = {"type": "mapper_parsing_exception",
                               "reason": "failed to parse"}
                    elif st in (201, 409) and _id in self.ids and name == "create":
                        st = 409
                        err = {"type": "version_conflict_engine_exception",
                               "reason": "[%s]: version conflict, document already exists"
                               % _id}
                    elif st in (201, 409):
                        self.ids[_id] = len(self.stored)
                        self.stored.append(ev)
                        self.indices.add(c.get("_index"))
                    item = {"_index": c.get("_index", "default"), "_id": _id, "status": st}
                    if st >= 300:
                        item["error"] = err
                    items.append({name: item})
                errors = any(next(iter(it.values()))["status"] >= 300 for it in items)
                return json.dumps({"took": 1, "errors": errors, "items": items}).encode()
            self.stored.extend(events)
            if self.fmt == "splunk-hec":
                if not self.hec_ack:
                    return b'{"text":"Success","code":0}'
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
