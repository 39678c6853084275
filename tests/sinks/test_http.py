"""The HTTP sink against the test receiver (tests/harness/http_receiver.py).

tests/sinks/http_send (native, or the .exe through Wine) sends a file of
events through the real sink driver with a fake clock; the receiver runs in
this process on loopback and answers as each test scripts it. Every test
checks the same invariant: each event ends stored by the receiver or in the
dead-letter file, none is lost, and duplicates appear only where the
protocol allows them (a request the receiver stored but whose answer never
arrived), counted. Usage: test_http.py --exe PATH [--wrapper wine]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import http_receiver  # noqa: E402

EXE = None
WRAPPER = None
SECRET = "s3cr3t-T0KEN-value"


def host_path(p):
    if WRAPPER and os.path.isabs(p):
        return "Z:" + p.replace("/", "\\")
    return p


def make_events(n, pad=0):
    out = []
    for i in range(n):
        ev = {"System": {"Provider": {"Name": "Test-Provider"}, "EventID": 7,
                         "TimeCreated": {"SystemTime": "2026-11-26T06:05:38.1234567Z"},
                         "Computer": "HOSTA", "Session": "main"},
              "EventData": {"N": i, "Pad": "x" * pad}}
        out.append(json.dumps(ev, separators=(",", ":")))
    return out


def make_sized_events(n, size):
    """n events whose JSON texts are each exactly size bytes long."""
    out = []
    for e in make_events(n):
        pad = size - len(e)
        assert pad >= 0, "size too small"
        out.append(e.replace('"Pad":""', '"Pad":"%s"' % ("x" * pad)))
    return out


def event_n(text):
    return json.loads(text)["EventData"]["N"]


class CA:
    """A test CA and server certificates made with the openssl CLI."""

    def __init__(self, d):
        self.d = d
        self.ca_key, self.ca = self.p("ca.key"), self.p("ca.pem")
        self.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.ca_key,
                 "-out", self.ca, "-days", "2", "-subj", "/CN=etwfwd test CA")

    def p(self, name):
        return os.path.join(self.d, name)

    def run(self, *args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True)

    def server(self, name, san, self_signed=False):
        key, csr, crt, ext = (self.p(name + x) for x in (".key", ".csr", ".pem", ".ext"))
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                    "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                    % san)
        if self_signed:
            self.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                     crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                     "subjectAltName=" + san)
            return crt, key
        self.run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
                 "/CN=" + name)
        self.run("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                 "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
        return crt, key


class HttpSinkTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="etwfwd-http-")
        self.rx = None

    def tearDown(self):
        if self.rx:
            self.rx.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def receiver(self, **kw):
        self.rx = http_receiver.Receiver(**kw).start()
        return self.rx

    def send(self, events, sink, max_sim=36000, env=None, expect_rc=0):
        cfg = os.path.join(self.tmp, "etwfwd.ini")
        evf = os.path.join(self.tmp, "events.ndjson")
        with open(cfg, "w") as f:
            f.write("[session:s]\nkind = file\npath = x.etl\n[sink:h]\ntype = http\n")
            for k, v in sink.items():
                f.write("%s = %s\n" % (k, v))
        with open(evf, "w") as f:
            f.write("\n".join(events) + "\n")
        cmd = ([WRAPPER] if WRAPPER else []) + [EXE, host_path(cfg), host_path(evf),
                                                host_path(self.tmp), str(max_sim)]
        full_env = dict(os.environ)
        full_env["WINEDEBUG"] = "-all"
        full_env.update(env or {})
        p = subprocess.run(cmd, capture_output=True, timeout=300, env=full_env)
        out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        self.stderr = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, expect_rc, out + self.stderr)
        res = {}
        for line in out.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                res[k] = int(v)
        return res

    def dead_letters(self):
        path = os.path.join(self.tmp, "dead-letter", "h.ndjson")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]

    def check_delivery(self, events, res, dup_allowed=0):
        """Every event stored or dead-lettered; returns the duplicates count."""
        stored = [event_n(e) for e in self.rx.stored]
        dead = [d["event"]["EventData"]["N"] for d in self.dead_letters()]
        want = set(range(len(events)))
        self.assertEqual(set(stored) | set(dead), want, "lost events")
        self.assertEqual(set(stored) & set(dead), set(), "stored and dead-lettered")
        dups = len(stored) - len(set(stored))
        self.assertLessEqual(dups, dup_allowed, "unexpected duplicates")
        self.assertEqual(res["acked"] + res["dead_lettered"], len(events))
        self.assertEqual(res["dead_lettered"], len(dead))
        self.assertEqual(res["backlog"], 0)
        # Nothing the sink sent was a body the real receiver refuses (its
        # retry would otherwise hide the refusal).
        self.assertEqual(self.rx.malformed, [], "bodies the receiver refuses")
        return dups

    # --- formats ---

    def test_ndjson_ok(self):
        rx = self.receiver()
        ev = make_events(200)
        # in_flight = 1: the receiver sees the batches in order (with 2 it may not).
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 50, "in_flight": 1})
        self.check_delivery(ev, res)
        self.assertEqual([event_n(e) for e in rx.stored], list(range(200)), "order")
        self.assertEqual(res["requests"], 4)
        self.assertEqual(rx.requests[0]["headers"]["Content-Type"], "application/x-ndjson")

    def test_ndjson_gzip_in_flight(self):
        rx = self.receiver()
        ev = make_events(500, pad=100)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 50, "compress": "gzip",
                             "in_flight": 4})
        self.check_delivery(ev, res)
        self.assertTrue(all(r["headers"].get("Content-Encoding") == "gzip"
                            for r in rx.requests))
        self.assertLess(res["body_bytes"] * 5, res["raw_bytes"])

    def test_json_array(self):
        rx = self.receiver(fmt="json")
        ev = make_events(30)
        res = self.send(ev, {"url": rx.url(), "format": "json", "batch_max_events": 7})
        self.check_delivery(ev, res)
        self.assertEqual(rx.requests[0]["headers"]["Content-Type"], "application/json")

    def test_es_bulk_mixed_items(self):
        rx = self.receiver(fmt="es-bulk")
        rx.script = ["bulk:201,429,400,500,409"]
        ev = make_events(20)
        res = self.send(ev, {"url": rx.url("/_bulk"), "format": "es-bulk",
                             "index": "etw-%Y.%m.%d", "batch_max_events": 20})
        self.check_delivery(ev, res)
        self.assertEqual(rx.indices, {"etw-2026.11.26"})
        dead = self.dead_letters()
        self.assertEqual(len(dead), 4)  # the 400 items: 2, 7, 12, 17
        self.assertEqual(sorted(d["event"]["EventData"]["N"] for d in dead), [2, 7, 12, 17])
        self.assertIn("status 400", dead[0]["reason"])
        self.assertEqual(res["item_retries"], 8)
        # Only the retried items went again, alone.
        self.assertEqual(rx.requests[1]["n"], 8)

    def test_es_bulk_resend_is_idempotent(self):
        rx = self.receiver(fmt="es-bulk")
        rx.script = ["ok-then-reset"]
        ev = make_events(40)
        res = self.send(ev, {"url": rx.url("/_bulk"), "format": "es-bulk",
                             "batch_max_events": 40, "compress": "gzip"})
        # The resend of the stored batch meets 409 for every item: no duplicate.
        self.assertEqual(self.check_delivery(ev, res), 0)
        self.assertEqual(res["conn_errors"], 1)
        self.assertEqual(len(rx.requests), 2)

    def test_splunk_hec_with_ack(self):
        rx = self.receiver(fmt="splunk-hec", ack_after=3)
        ev = make_events(25)
        res = self.send(ev, {"url": rx.url("/services/collector/event"),
                             "format": "splunk-hec", "token": "${HEC_TOKEN}",
                             "hec_ack": "true", "batch_max_events": 10},
                        env={"HEC_TOKEN": SECRET})
        self.check_delivery(ev, res)
        posts = [r for r in rx.requests if r["action"] != "ack"]
        acks = [r for r in rx.requests if r["action"] == "ack"]
        self.assertEqual(len(posts), 3)
        self.assertEqual(len(acks), 9)
        h = posts[0]["headers"]
        self.assertEqual(h["Authorization"], "Splunk " + SECRET)
        self.assertEqual(len(h["X-Splunk-Request-Channel"]), 36)
        self.assertEqual(acks[0]["headers"]["X-Splunk-Request-Channel"],
                         h["X-Splunk-Request-Channel"])
        self.assertNotIn(SECRET, self.stderr)

    def test_auth_headers_and_secrets(self):
        rx = self.receiver()
        ev = make_events(5)
        res = self.send(ev, {"url": rx.url(), "user": "alice", "password": "${PW}",
                             "headers": "X-Api-Key: ${PW}"}, env={"PW": SECRET})
        self.check_delivery(ev, res)
        h = rx.requests[0]["headers"]
        self.assertTrue(h["Authorization"].startswith("Basic "))
        self.assertEqual(h["X-Api-Key"], SECRET)
        self.assertNotIn(SECRET, self.stderr)

    def test_bearer(self):
        rx = self.receiver()
        ev = make_events(3)
        self.send(ev, {"url": rx.url(), "token": "${T}"}, env={"T": SECRET})
        self.assertEqual(rx.requests[0]["headers"]["Authorization"], "Bearer " + SECRET)

    # --- faults ---

    def test_500_retried(self):
        rx = self.receiver()
        rx.script = ["status:500", "status:503"]
        ev = make_events(30)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 30})
        self.check_delivery(ev, res)
        self.assertEqual(res["status_5xx"], 2)
        self.assertEqual(res["retried"], 60)
        self.assertLessEqual(res["max_delay_ms"], 60000)

    def test_429_retry_after(self):
        rx = self.receiver()
        rx.script = ["status:429:7"]
        ev = make_events(10)
        res = self.send(ev, {"url": rx.url()})
        self.check_delivery(ev, res)
        self.assertEqual(res["max_delay_ms"], 7000)

    def test_413_splits(self):
        """The receiver's body limit (as Elasticsearch's http.max_content_length)
        is below the batch: the sink halves each refused request until it
        fits, and no event is lost, sent in an extra request or stored twice.
        By hand: 48 events of 199 bytes are 48 lines of 200 bytes, a 9600-byte
        body; the limit 1300 admits 6 lines (1200) but not 7 (1400) nor 12
        (2400). 48 -> 2 x 24 -> 4 x 12 -> 8 x 6: 1 + 2 + 4 requests refused
        (7 splits), then 8 accepted, each a run of 6 consecutive events; 15
        requests carrying 48 x 4 = 192 events."""
        rx = self.receiver(max_body=1300)
        ev = make_sized_events(48, 199)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 48, "in_flight": 1})
        self.assertEqual(self.check_delivery(ev, res), 0)
        self.assertEqual(res["dead_lettered"], 0)
        self.assertEqual(res["splits"], 7)
        self.assertEqual(len(rx.requests), 15)
        self.assertEqual(res["requests"], 15)
        refused = [r for r in rx.requests if r["status"] == 413]
        accepted = [r for r in rx.requests if r["status"] == 200]
        self.assertEqual(sorted(r["decoded"] for r in refused), [2400] * 4 + [4800] * 2 + [9600])
        self.assertEqual(len(accepted), 8)
        runs = sorted([event_n(e) for e in r["events"]] for r in accepted)
        self.assertEqual(runs, [list(range(i, i + 6)) for i in range(0, 48, 6)])
        self.assertEqual(sum(len(r["events"]) for r in rx.requests if r["events"]) +
                         sum(r["decoded"] // 200 for r in refused), 192)
        self.assertEqual(sorted(event_n(e) for e in rx.stored), list(range(48)))

    def test_413_es_bulk_splits_by_size(self):
        """The same halving on _bulk bodies, each line pair sized by hand:
        {"create":{"_index":"etw","_id":ID}} plus the event. The limit admits
        one request of 5 events but not 10; every item is stored once and no
        request was refused for its shape."""
        ev = make_sized_events(20, 199)
        # The size of the whole body, from a first receiver without a limit...
        first = http_receiver.Receiver(fmt="es-bulk").start()
        try:
            self.send(ev, {"url": first.url("/_bulk"), "format": "es-bulk", "index": "etw",
                           "batch_max_events": 20, "in_flight": 1})
        finally:
            first.stop()
        self.assertEqual([r["n"] for r in first.requests], [20])
        full = first.requests[0]["decoded"]
        # ...then a limit of 27.5% of it: 5 events (25%) fit, 10 (50%) do not.
        rx = self.receiver(fmt="es-bulk", max_body=full * 11 // 40)
        res = self.send(ev, {"url": rx.url("/_bulk"), "format": "es-bulk", "index": "etw",
                             "batch_max_events": 20, "in_flight": 1})
        self.assertEqual(self.check_delivery(ev, res), 0)
        self.assertEqual(res["splits"], 3)  # 20 -> 2 x 10 -> 4 x 5
        self.assertEqual([r["status"] for r in rx.requests].count(413), 3)
        accepted = [r for r in rx.requests if r["status"] == 200]
        self.assertEqual(sorted(sorted(event_n(e) for e in r["events"]) for r in accepted),
                         [list(range(i, i + 5)) for i in range(0, 20, 5)])
        self.assertEqual(len(rx.requests), 7)

    def test_event_over_max_body_dead_lettered(self):
        rx = self.receiver()
        ev = make_events(10)
        ev[4] = ev[4].replace('"Pad":""', '"Pad":"%s"' % ("y" * 3000))
        res = self.send(ev, {"url": rx.url(), "max_body_size": "2KiB", "batch_max_events": 10})
        self.check_delivery(ev, res)
        dead = self.dead_letters()
        self.assertEqual([d["event"]["EventData"]["N"] for d in dead], [4])
        self.assertIn("max_body_size", dead[0]["reason"])
        self.assertEqual(res["too_large"], 1)

    def test_400_dead_lettered_with_body(self):
        rx = self.receiver()
        rx.script = ["status:400"]
        ev = make_events(20)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 10})
        self.check_delivery(ev, res)
        dead = self.dead_letters()
        self.assertEqual(len(dead), 10)
        self.assertIn("HTTP 400: error 400 from the test receiver", dead[0]["reason"])

    def test_401_retried_slowly(self):
        rx = self.receiver()
        rx.script = ["status:401", "status:403"]
        ev = make_events(10)
        res = self.send(ev, {"url": rx.url()})
        self.check_delivery(ev, res)
        self.assertEqual(res["auth_failures"], 2)
        self.assertEqual(res["max_delay_ms"], 300000)
        self.assertIn("refuses our credentials", self.stderr)

    def test_reset_mid_request(self):
        rx = self.receiver()
        rx.script = ["reset", "reset"]
        ev = make_events(40)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 20})
        self.check_delivery(ev, res)
        self.assertEqual(res["conn_errors"], 2)

    def test_lost_answer_duplicates_counted(self):
        rx = self.receiver()
        rx.script = ["ok-then-reset"]
        ev = make_events(40)
        res = self.send(ev, {"url": rx.url(), "batch_max_events": 20})
        # ndjson has no idempotency: the batch whose answer was lost is resent.
        self.assertEqual(self.check_delivery(ev, res, dup_allowed=20), 20)

    def test_stall_past_timeout(self):
        rx = self.receiver()
        rx.script = ["stall:2.5"]
        ev = make_events(10)
        res = self.send(ev, {"url": rx.url(), "timeout": "1s"})
        self.check_delivery(ev, res)
        self.assertEqual(res["conn_errors"], 1)

    def test_receiver_down_backoff_capped(self):
        s = http_receiver.socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        ev = make_events(5)
        res = self.send(ev, {"url": "http://127.0.0.1:%d/x" % port}, max_sim=3600,
                        expect_rc=3)
        self.assertEqual(res["acked"], 0)
        self.assertGreater(res["conn_errors"], 20)
        self.assertLessEqual(res["max_delay_ms"], 60000)
        self.assertGreaterEqual(res["sim_ms"], 3500 * 1000)

    def test_outage_hour_disk_spool_in_order(self):
        """The receiver is down for a simulated hour while events keep arriving
        into the disk spool; when it returns, every event arrives once and in
        order, and no scheduled wait ever exceeded the backoff cap."""
        s = http_receiver.socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        n = 600
        ev = make_events(n)
        cfg = os.path.join(self.tmp, "etwfwd.ini")
        evf = os.path.join(self.tmp, "events.ndjson")
        with open(cfg, "w") as f:
            # in_flight = 1: with two requests at once the receiver may see the
            # second first; order at the receiver is what this test checks.
            f.write("[session:s]\nkind = file\npath = x.etl\n[sink:h]\ntype = http\n"
                    "url = http://127.0.0.1:%d/ingest\nin_flight = 1\n"
                    "batch_max_events = 50\n" % port)
        with open(evf, "w") as f:
            f.write("\n".join(ev) + "\n")
        cmd = ([WRAPPER] if WRAPPER else []) + [EXE, host_path(cfg), host_path(evf),
                                                host_path(self.tmp), "36000", "3600"]
        env = dict(os.environ, WINEDEBUG="-all")
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        try:
            line = p.stdout.readline().decode().strip()
            self.assertEqual(line, "outage_over", p.stderr.read().decode("utf-8", "replace")
                             if not line else line)
            # Nothing could have been delivered: nothing listened on the port.
            self.receiver(port=port)
            p.stdin.write(b"go\n")
            p.stdin.flush()
            out, err = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        out = out.decode("utf-8", "replace").replace("\r\n", "\n")
        self.assertEqual(p.returncode, 0, out + err.decode("utf-8", "replace"))
        res = {}
        for l in out.splitlines():
            if "=" in l:
                k, v = l.split("=", 1)
                res[k] = int(v)
        self.assertEqual(res["arrived"], n)
        stored = [event_n(e) for e in self.rx.stored]
        self.assertEqual(stored, list(range(n)), "not every event once and in order")
        self.assertEqual(res["acked"], n)
        self.assertEqual(res["dead_lettered"], 0)
        # The receiver was down for the whole hour: many failed attempts.
        self.assertGreater(res["conn_errors"], 50)
        self.assertGreaterEqual(res["sim_ms"], 3600 * 1000)
        with open(os.path.join(self.tmp, "delays.txt")) as f:
            delays = [int(x) for x in f if x.strip()]
        self.assertEqual(len(delays), res["scheduled"])
        self.assertGreater(len(delays), 50)
        self.assertLessEqual(max(delays), 60000, "a wait exceeded the backoff cap")
        # It did back off to near the cap (full jitter: uniform below 60 s).
        self.assertGreater(max(delays), 30000)
        # The spool was the disk spool, in OUTDIR/spool.
        self.assertTrue(os.listdir(os.path.join(self.tmp, "spool")))

    # --- TLS ---

    def tls_setup(self, san="IP:127.0.0.1,DNS:localhost", self_signed=False):
        ca = CA(self.tmp)
        crt, key = ca.server("srv", san, self_signed)
        return ca, self.receiver(tls=(crt, key))

    def test_tls_ca_file(self):
        ca, rx = self.tls_setup()
        ev = make_events(10)
        # By name: curl's Schannel backend matches DNS names, not IP SANs.
        res = self.send(ev, {"url": rx.url(scheme="https", host="localhost"),
                             "ca_file": host_path(ca.ca)})
        self.check_delivery(ev, res)

    def test_tls_self_signed_rejected(self):
        if WRAPPER:
            self.skipTest("Wine's TLS accepts bad certificates")
        ca, rx = self.tls_setup(self_signed=True)
        res = self.send(make_events(3), {"url": rx.url(scheme="https"), "ca_file": ca.ca},
                        max_sim=120, expect_rc=3)
        self.assertEqual(res["acked"], 0)
        self.assertGreater(res["conn_errors"], 0)
        self.assertEqual(rx.requests, [])

    def test_tls_wrong_host_rejected(self):
        if WRAPPER:
            self.skipTest("Wine's TLS accepts bad certificates")
        ca, rx = self.tls_setup(san="DNS:wrong.example")
        res = self.send(make_events(3), {"url": rx.url(scheme="https"), "ca_file": ca.ca},
                        max_sim=120, expect_rc=3)
        self.assertEqual(res["acked"], 0)
        self.assertEqual(rx.requests, [])

    def test_tls_verify_false_warns(self):
        ca, rx = self.tls_setup(self_signed=True)
        ev = make_events(4)
        res = self.send(ev, {"url": rx.url(scheme="https"), "tls_verify": "false"})
        self.check_delivery(ev, res)
        self.assertIn("tls_verify = false", self.stderr)


class ReceiverProtocolTest(unittest.TestCase):
    """The test receiver refuses what Elasticsearch and Splunk refuse, with
    their status and error body (the texts are theirs: Elasticsearch's
    BulkRequestParser and Bulk API reference, Splunk's HEC status codes), so
    the sink's tests cannot pass on a body the real receivers reject."""

    def post(self, rx, body, path="/_bulk", headers=None):
        c = http_receiver.http.client.HTTPConnection("127.0.0.1", rx.port, timeout=10)
        try:
            c.request("POST", path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def es(self, body):
        rx = http_receiver.Receiver(fmt="es-bulk").start()
        try:
            st, out = self.post(rx, body)
        finally:
            rx.stop()
        return st, json.loads(out), rx

    def es_refused(self, body, reason, etype="illegal_argument_exception"):
        st, out, rx = self.es(body)
        self.assertEqual(st, 400)
        self.assertEqual(out, {"error": {"root_cause": [{"type": etype, "reason": reason}],
                                         "type": etype, "reason": reason}, "status": 400})
        self.assertEqual(rx.stored, [])
        self.assertEqual(len(rx.malformed), 1)

    def test_bulk_without_final_newline(self):
        self.es_refused(b'{"create":{"_id":"a"}}\n{"x":1}',
                        "The bulk request must be terminated by a newline [\\n]")

    def test_bulk_action_not_an_object(self):
        self.es_refused(b'"create"\n{"x":1}\n',
                        "Malformed action/metadata line [1], expected START_OBJECT but found "
                        "[VALUE_STRING]")

    def test_bulk_unknown_action(self):
        self.es_refused(b'{"insert":{"_id":"a"}}\n{"x":1}\n',
                        "Malformed action/metadata line [1], expected field [create], [delete], "
                        "[index] or [update] but found [insert]")

    def test_bulk_document_line_missing(self):
        # The second action's document is missing: its action line is read as
        # the first one's document, and the third line, an event, as an action.
        self.es_refused(b'{"create":{"_id":"a"}}\n{"create":{"_id":"b"}}\n'
                        b'{"System":{"EventID":7}}\n',
                        "Malformed action/metadata line [3], expected field [create], [delete], "
                        "[index] or [update] but found [System]")

    def test_bulk_last_document_line_missing(self):
        # Elasticsearch stops at an action without a document line.
        self.es_refused(b'{"create":{"_id":"a"}}\n', "Validation Failed: 1: no requests added;",
                        "action_request_validation_exception")
        st, out, rx = self.es(b'{"create":{"_id":"a"}}\n{"x":1}\n{"create":{"_id":"b"}}\n')
        self.assertEqual(st, 200)
        self.assertEqual(len(out["items"]), 1)
        self.assertEqual(rx.malformed, ["a last action without its document line"])

    def test_bulk_well_formed(self):
        st, out, rx = self.es(b'{"create":{"_index":"i","_id":"a"}}\n{"x":1}\r\n'
                              b'{"create":{"_index":"i","_id":"a"}}\n{"x":1}\n')
        self.assertEqual(st, 200)
        self.assertEqual([it["create"]["status"] for it in out["items"]], [201, 409])
        self.assertTrue(out["errors"])
        self.assertEqual(rx.malformed, [])

    def hec(self, body, headers=None, **kw):
        rx = http_receiver.Receiver(fmt="splunk-hec", **kw).start()
        try:
            h = {"X-Splunk-Request-Channel": "0b8a4f3e-1c6f-4a51-9f0e-3f1f1b5c2d10"}
            h.update(headers or {})
            st, out = self.post(rx, body, "/services/collector/event", h)
        finally:
            rx.stop()
        return st, json.loads(out)

    def test_hec_refusals(self):
        self.assertEqual(self.hec(b""), (400, {"text": "No data", "code": 5}))
        self.assertEqual(self.hec(b'{"event":{"a":1}}\n{"event":'),
                         (400, {"text": "Invalid data format", "code": 6,
                                "invalid-event-number": 1}))
        self.assertEqual(self.hec(b'{"event":"x"}{"time":1}'),
                         (400, {"text": "Event field is required", "code": 12,
                                "invalid-event-number": 1}))
        self.assertEqual(self.hec(b'{"event":""}'),
                         (400, {"text": "Event field cannot be blank", "code": 13,
                                "invalid-event-number": 0}))
        self.assertEqual(self.hec(b'{"event":"x"}', headers={"X-Splunk-Request-Channel": ""}),
                         (400, {"text": "Data channel is missing", "code": 10}))
        st, out = self.hec(b'{"event":{"a":1}}{"event":"b"}', hec_ack=False)
        self.assertEqual((st, out), (200, {"text": "Success", "code": 0}))

    def test_413_by_body_size(self):
        rx = http_receiver.Receiver(max_body=100).start()
        try:
            self.assertEqual(self.post(rx, b"{}\n" * 33, "/x")[0], 200)  # 99 bytes
            self.assertEqual(self.post(rx, b"{}\n" * 34, "/x")[0], 413)  # 102 bytes
        finally:
            rx.stop()
        self.assertEqual([r["status"] for r in rx.requests], [200, 413])


def main():
    global EXE, WRAPPER
    args = sys.argv[1:]
    rest = []
    while args:
        a = args.pop(0)
        if a == "--exe":
            EXE = args.pop(0)
        elif a == "--wrapper":
            WRAPPER = args.pop(0)
        else:
            rest.append(a)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
