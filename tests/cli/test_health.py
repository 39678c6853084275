"""/health and a sink that fails without pause ([service] health_failing_after).

An HTTP sink whose receiver (this test's) answers every request with 503 and
Retry-After: 1 fails every attempt: /health stays 200 until the sink has
failed for health_failing_after (1 s here, far below health_max_age's 5 min,
so only the new rule can turn it), then answers 503 naming the sink and why.
Once the receiver answers 200, the next attempt is taken and /health is 200
again; the receiver then holds every event of the trace.
"""
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import unittest

import clihelp

STATS = '"Name":"etwfwd"'


class Receiver(http.server.BaseHTTPRequestHandler):
    """503 + Retry-After: 1 while the server's `refuse` is set, else 200 (and keeps the lines)."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        with srv.lock:
            srv.requests += 1
            refuse = srv.refuse
            if not refuse:
                srv.lines += body.decode("utf-8", "replace").split("\n")
        self.send_response(503 if refuse else 200)
        if refuse:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def health(port):
    p = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:%d/health" % port],
                       capture_output=True, text=True, timeout=30)
    body, _, code = p.stdout.rpartition("\n")
    return int(code or 0), body


class Health(unittest.TestCase):
    def test_sink_failing_without_pause_turns_health_503_then_200(self):
        etl = clihelp.shared("testdata", "etl", "perfview", "primitive-types.etl")
        if not os.path.exists(etl):
            self.skipTest("no shared traces")
        rc, out, err = clihelp.run(["replay", etl])
        self.assertEqual(rc, 0, err)
        want = out.split("\n")[:-1]

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        srv.lock = threading.Lock()
        srv.requests, srv.refuse, srv.lines = 0, True, []
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        mport = free_port()
        with clihelp.TempDir() as d:
            conf = os.path.join(d, "etwfwd.ini")
            with open(conf, "w") as f:
                f.write("[service]\nstate_dir = %s\nmetrics_listen = 127.0.0.1:%d\n"
                        "stats_interval = 1h\nhealth_failing_after = 1s\n\n"
                        "[session:s]\nkind = file\npath = %s\n\n"
                        "[sink:siem]\ntype = http\nurl = http://127.0.0.1:%d/bulk\n"
                        "format = ndjson\nbatch_max_age = 10ms\n"
                        % (clihelp.host_path(os.path.join(d, "state")), mport,
                           clihelp.host_path(etl), srv.server_address[1]))
            err_path = os.path.join(d, "run.err")
            cmd = ([clihelp.WRAPPER] if clihelp.WRAPPER else []) + [
                clihelp.EXE, "run", "-c", clihelp.host_path(conf), "--follow"]
            with open(err_path, "wb") as errf:
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf)

            def log():
                # The log file, flushed line by line (under Wine stderr to a file is buffered).
                text = ""
                for path in (os.path.join(d, "state", "logs", "etwfwd.log"), err_path):
                    if os.path.exists(path):
                        with open(path, "rb") as f:
                            text += f.read().decode("utf-8", "replace")
                return text

            def wait_for(pred, what, timeout=60):
                deadline = time.time() + timeout
                while time.time() < deadline:
                    got = pred()
                    if got:
                        return got
                    if proc.poll() is not None:
                        self.fail("etwfwd exited %d while waiting for %s:\n%s"
                                  % (proc.returncode, what, log()))
                    time.sleep(0.05)
                self.fail("never happened: %s\n%s" % (what, log()))

            try:
                wait_for(lambda: srv.requests >= 1, "the first refused attempt")
                t_first = time.time()
                # Failing, but not yet for 1 s: healthy (health_max_age is 5 min).
                code, body = health(mport)
                if time.time() - t_first < 0.8:
                    self.assertEqual(code, 200, body)
                code, body = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(
                    health(mport)), "/health 503")
                self.assertGreaterEqual(time.time() - t_first, 0.9)
                doc = json.loads(body)
                self.assertEqual(doc["status"], "unhealthy")
                sink = [s for s in doc["sinks"] if s["sink"] == "siem"][0]
                self.assertFalse(sink["healthy"])
                self.assertIn("every delivery attempt failed for", sink["reason"])
                self.assertIn("health_failing_after = 1 s", sink["reason"])
                self.assertGreaterEqual(srv.requests, 2)

                with srv.lock:
                    srv.refuse = False
                wait_for(lambda: health(mport)[0] == 200, "/health 200 again")
                wait_for(lambda: len([l for l in srv.lines if l and STATS not in l])
                         >= len(want), "every event delivered")
                self.assertIn("siem: delivers again after", log())
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait(timeout=60)
                srv.shutdown()
            self.assertEqual([l for l in srv.lines if l and STATS not in l], want)


if __name__ == "__main__":
    unittest.main()
