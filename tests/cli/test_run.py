"""`etwfwd run -c FILE` and `etwfwd replay FILE -c FILE`: the pipeline end to end.

Each trace replayed through the pipeline into the file sink gives exactly
the lines `etwfwd replay` prints; full queues and spools drop or block as
configured and count it; /metrics and /health answer (checked with curl);
SIGTERM drains and exits 0.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import json
import unittest
import urllib.request

import clihelp

STATS = '"Name":"etwfwd"'

# The counters only live ETW sessions move (docs/pipeline.md, "Runner:
# statistics"): every session has them, a file session with 0, so a consumer
# sees one shape. Stats event key -> Prometheus name.
LIVE_COUNTERS = {
    "etw_log_buffers_lost": "etwfwd_session_etw_log_buffers_lost_total",
    "etw_buffers_written": "etwfwd_session_etw_buffers_written_total",
    "etw_free_buffers": "etwfwd_session_etw_free_buffers",
    "rt_lost_event_records": "etwfwd_session_rt_lost_event_records_total",
    "rt_lost_buffer_records": "etwfwd_session_rt_lost_buffer_records_total",
    "rt_lost_file_records": "etwfwd_session_rt_lost_file_records_total",
    "etw_buffers_read": "etwfwd_session_etw_buffers_read_total",
    "reconnects": "etwfwd_session_reconnects_total",
    "gap_ms": "etwfwd_session_gap_ms_total",
    "queries_failed": "etwfwd_session_queries_failed_total",
    "ext_items_dropped": "etwfwd_session_ext_items_dropped_total",
}


def etl_files():
    root = clihelp.shared("testdata", "etl")
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in sorted(names) if n.lower().endswith(".etl")]
    return sorted(out)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def lines(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").split("\n")[:-1]


def write_conf(d, path, sink_path, service="", session="", metrics=""):
    conf = os.path.join(d, "etwfwd.ini")
    with open(conf, "w") as f:
        f.write(("[service]\nstate_dir = %s\nmetrics_listen = " + metrics +
                 "\nstats_interval = 1h\n%s\n"
                 "[session:s]\nkind = file\npath = %s\n%s\n"
                 "[sink:out]\ntype = file\npath = %s\n")
                % (clihelp.host_path(os.path.join(d, "state")), service,
                   clihelp.host_path(path), session, clihelp.host_path(sink_path)))
    return conf


def counter(text, name, **labels):
    """The value of one Prometheus sample, or None."""
    for line in text.splitlines():
        m = re.match(r'^(\w+)(\{[^}]*\})? (\d+)$', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return int(m.group(3))
    return None


def curl(url):
    p = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", url], capture_output=True,
                       text=True, timeout=30)
    body, _, code = p.stdout.rpartition("\n")
    return int(code or 0), body


class ReplayThroughPipeline(unittest.TestCase):
    def test_each_trace_gives_the_lines_replay_prints(self):
        files = etl_files()
        if not files:
            self.skipTest("no .etl under the shared folder")
        for etl in files:
            with self.subTest(etl=os.path.basename(etl)), clihelp.TempDir() as d:
                rc, want, err = clihelp.run(["replay", clihelp.host_path(etl)])
                self.assertEqual(rc, 0, err)
                out = os.path.join(d, "out.ndjson")
                conf = write_conf(d, etl, out)
                rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
                self.assertEqual(rc, 0, err)
                got = lines(out)
                self.assertEqual([l for l in got if STATS not in l], want.split("\n")[:-1])
                # The stats event at the stop counts every event of the trace.
                stats = [l for l in got if STATS in l]
                self.assertEqual(len(stats), 1, err)
                self.assertIn('"events_in":%d' % len(want.split("\n")[:-1]), stats[0])
                doc = json.loads(stats[0])
                self.assertEqual(doc["System"]["Level"], {"Value": 4, "Name": "Information"})
                self.assertEqual([x["name"] for x in doc["etwfwd"]["sessions"]], ["s"])
                session = doc["etwfwd"]["sessions"][0]
                self.assertEqual(session["live"], 0)
                for key in LIVE_COUNTERS:
                    self.assertEqual(session[key], 0, key)
                self.assertRegex(err, r"sink out: \d+ sent, \d+ acknowledged")
                rc, report, _ = clihelp.run(["spool", "verify",
                                              clihelp.host_path(os.path.join(d, "state",
                                                                             "spool"))])
                self.assertEqual(rc, 0, report)

    @unittest.skipIf(clihelp.is_windows(), "live sessions run on Windows")
    def test_live_session_refused_off_windows(self):
        with clihelp.TempDir() as d:
            conf = os.path.join(d, "etwfwd.ini")
            with open(conf, "w") as f:
                f.write("[service]\nstate_dir = %s\n\n[session:rt]\nkind = realtime\n"
                        "provider = Microsoft-Windows-Kernel-Process\n\n"
                        "[sink:out]\ntype = file\npath = %s\n"
                        % (os.path.join(d, "state"), os.path.join(d, "out.ndjson")))
            rc, _, err = clihelp.run(["run", "-c", conf])
            self.assertNotEqual(rc, 0, err)
            self.assertIn("session rt: only kind = file sessions run in this build", err)
            self.assertIn("need Windows", err)

    def test_replay_with_c_sends_through_the_sinks(self):
        files = etl_files()
        if not files:
            self.skipTest("no .etl under the shared folder")
        etl = files[0]
        with clihelp.TempDir() as d:
            rc, want, err = clihelp.run(["replay", clihelp.host_path(etl)])
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, os.path.join(d, "unused-*.etl"), out)
            rc, stdout, err = clihelp.run(["replay", clihelp.host_path(etl), "-c",
                                           clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertEqual(stdout, "")
            self.assertEqual([l for l in lines(out) if STATS not in l], want.split("\n")[:-1])

    def test_glob_and_missing_file(self):
        files = etl_files()
        if not files:
            self.skipTest("no .etl under the shared folder")
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            # A missing file: run says so and a script sees the failure.
            conf = write_conf(d, os.path.join(d, "nothing-here.etl"), out)
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 1, err)
            self.assertIn("1 failed", err)
            self.assertIn("session s: no trace was replayed (every file failed)", err)
            # A glob that matches nothing.
            conf = write_conf(d, os.path.join(d, "none-*.etl"), out)
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 1, err)
            self.assertIn("session s: no trace was replayed (no file matches)", err)
            # One good file among missing ones is not a failure of the run.
            os.mkdir(os.path.join(d, "in"))
            shutil.copy(files[0], os.path.join(d, "in", "a.etl"))
            with open(os.path.join(d, "in", "b.etl"), "wb") as f:
                f.write(b"not a trace")
            conf = write_conf(d, os.path.join(d, "in", "*.etl"), out)
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertIn("not an .etl file (no log file header)", err)

    def test_bad_command_lines(self):
        rc, _, err = clihelp.run(["run"])
        self.assertEqual(rc, 2)
        self.assertIn("usage", err)
        rc, _, err = clihelp.run(["run", "-c", "/nonexistent/etwfwd.ini"])
        self.assertEqual(rc, 2)


HTTP_ETL = ("testdata", "etl", "tx", "HTTP_Server.etl")


def events_of(path):
    """The event lines of a file sink's output (stats events left out)."""
    if not os.path.exists(path):
        return []
    return [l for l in lines(path) if STATS not in l]


class Checkpoints(unittest.TestCase):
    """File sessions across restarts (issue 14, item 1): each event once."""

    def test_three_starts_deliver_each_event_once(self):
        etl = clihelp.shared(*HTTP_ETL)
        with clihelp.TempDir() as d:
            rc, want, err = clihelp.run(["replay", clihelp.host_path(etl)])
            self.assertEqual(rc, 0, err)
            want = want.split("\n")[:-1]
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, etl, out)
            for start in range(3):
                rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
                self.assertEqual(rc, 0, err)
                self.assertEqual(events_of(out), want, "start %d" % (start + 1))
                if start:
                    self.assertIn("already forwarded (checkpoint), skipped", err)
            # replay -c stays stateless: it sends everything again.
            rc, _, err = clihelp.run(["replay", clihelp.host_path(etl), "-c",
                                      clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertEqual(events_of(out), want + want)

    def test_changed_file_is_read_again(self):
        src = clihelp.shared(*HTTP_ETL)
        with clihelp.TempDir() as d:
            etl = os.path.join(d, "t.etl")
            shutil.copy(src, etl)
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, etl, out)
            self.assertEqual(clihelp.run(["run", "-c", clihelp.host_path(conf)])[0], 0)
            n = len(events_of(out))
            # Another trace under the same name (here: cut after its first buffers).
            with open(src, "rb") as f:
                data = f.read()
            with open(etl, "wb") as f:
                f.write(data[:0x10000])
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertGreater(len(events_of(out)), n)
            self.assertNotIn("already forwarded", err)

    def test_damaged_checkpoint_file_reads_again(self):
        etl = clihelp.shared(*HTTP_ETL)
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, etl, out)
            self.assertEqual(clihelp.run(["run", "-c", clihelp.host_path(conf)])[0], 0)
            n = len(events_of(out))
            ck = os.path.join(d, "state", "checkpoints", "s.ckpt")
            with open(ck, "r+b") as f:
                f.seek(30)
                f.write(b"#")
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertIn("checkpoints", err)
            self.assertIn("read from their start", err)
            # Duplicates, never losses.
            self.assertEqual(len(events_of(out)), 2 * n)


@unittest.skipIf(clihelp.is_windows() or not shutil.which("curl"),
                 "SIGTERM, /dev/full and curl: native only")
class RunningPipeline(unittest.TestCase):
    """A pipeline that keeps running: metrics, health, full queues and spools, SIGTERM."""

    def start(self, d, path, sink, service="", session="", follow=True):
        self.port = free_port()
        conf = write_conf(d, path, sink, service, session, "127.0.0.1:%d" % self.port)
        args = [clihelp.EXE, "run", "-c", conf] + (["--follow"] if follow else [])
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline and p.poll() is None:
            try:
                code, _ = curl("http://127.0.0.1:%d/health" % self.port)
                if code:
                    break
            except subprocess.SubprocessError:
                pass
            time.sleep(0.1)
        if p.poll() is not None:
            self.fail("etwfwd run exited %d: %s" % (p.returncode, p.stderr.read().decode()))
        return p

    def test_stop_midway_then_resume(self):
        """Stopped halfway through a trace, the next start sends the rest: each event once."""
        etl = clihelp.shared(*HTTP_ETL)
        with clihelp.TempDir() as d:
            rc, want, err = clihelp.run(["replay", etl])
            want = want.split("\n")[:-1]
            out = os.path.join(d, "out.ndjson")
            # 10 times real time: the trace's 80 s take 8 s, so a stop after 6.5 s is midway.
            p = self.start(d, etl, out, session="replay_speed = 10")
            time.sleep(6.5)
            self.stop(p)
            first = events_of(out)
            self.assertGreater(len(first), 0)
            self.assertLess(len(first), len(want))
            conf = write_conf(d, etl, out)
            rc, _, err = clihelp.run(["run", "-c", conf])
            self.assertEqual(rc, 0, err)
            self.assertIn("resuming after %d events forwarded before" % len(first), err)
            self.assertEqual(events_of(out), want)

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        return p.returncode, err.decode("utf-8", "replace")

    def metrics_until(self, pred, timeout=20):
        deadline = time.time() + timeout
        text = ""
        while time.time() < deadline:
            code, text = curl("http://127.0.0.1:%d/metrics" % self.port)
            if code == 200 and pred(text):
                return text
            time.sleep(0.2)
        self.fail("metrics never matched:\n" + text)

    def many_traces(self, d, n=40):
        """n links to the largest trace: enough events to fill a small spool."""
        files = etl_files()
        if not files:
            self.skipTest("no .etl under the shared folder")
        big = max(files, key=os.path.getsize)
        src = os.path.join(d, "traces")
        os.mkdir(src)
        for i in range(n):
            os.symlink(big, os.path.join(src, "t%03d.etl" % i))
        return os.path.join(src, "*.etl"), big

    def test_metrics_health_and_sigterm(self):
        files = etl_files()
        if not files:
            self.skipTest("no .etl under the shared folder")
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            p = self.start(d, files[0], out)
            text = self.metrics_until(
                lambda t: (counter(t, "etwfwd_sink_backlog_events", sink="out") == 0 and
                           (counter(t, "etwfwd_sink_events_total", sink="out", result="acked")
                            or 0) > 0))
            for name in ["etwfwd_events_total", "etwfwd_etw_events_lost_total",
                         "etwfwd_etw_buffers_lost_total", "etwfwd_queue_dropped_total",
                         "etwfwd_spool_bytes", "etwfwd_spool_events_total",
                         "etwfwd_sink_events_total", "etwfwd_sink_backlog_events",
                         "etwfwd_sink_healthy", "etwfwd_uptime_seconds"]:
                self.assertIn("# TYPE %s " % name, text)
            self.assertIsNotNone(counter(text, "etwfwd_events_total", session="s", stage="in"))
            for name in LIVE_COUNTERS.values():
                kind = "gauge" if name == "etwfwd_session_etw_free_buffers" else "counter"
                self.assertIn("# TYPE %s %s\n" % (name, kind), text)
                self.assertEqual(counter(text, name, session="s"), 0, name)
            code, body = curl("http://127.0.0.1:%d/health" % self.port)
            self.assertEqual(code, 200, body)
            self.assertIn('"status":"ok"', body)
            code, _ = curl("http://127.0.0.1:%d/nothing" % self.port)
            self.assertEqual(code, 404)
            rc, err = self.stop(p)
            self.assertEqual(rc, 0, err)
            rc, want, _ = clihelp.run(["replay", files[0]])
            self.assertEqual([l for l in lines(out) if STATS not in l], want.split("\n")[:-1])

    def test_queue_full_drop_counts_and_health_fails(self):
        with clihelp.TempDir() as d:
            pattern, _ = self.many_traces(d, 4)
            p = self.start(d, pattern, "/dev/full",
                           "queue_max_events = 16\nhealth_max_age = 1s\nshutdown_timeout = 2s\n",
                           "queue_full = drop")
            text = self.metrics_until(
                lambda t: (counter(t, "etwfwd_queue_dropped_total") or 0) > 0 and
                counter(t, "etwfwd_source_files_total", session="s", result="done") == 4)
            self.assertEqual(counter(text, "etwfwd_events_total", session="s",
                                     stage="queue_dropped"),
                             counter(text, "etwfwd_queue_dropped_total"))
            time.sleep(2.5)
            code, body = curl("http://127.0.0.1:%d/health" % self.port)
            self.assertEqual(code, 503, body)
            self.assertIn('"reason":"no delivery for', body)
            rc, err = self.stop(p)
            self.assertEqual(rc, 0, err)
            self.assertRegex(err, r"[1-9]\d* queue drops")

    def spool_full(self, policy, session_policy="block"):
        d = self.d
        pattern, _ = self.many_traces(d)
        return self.start(d, pattern, "/dev/full",
                          "spool_max_size = 1MiB\nspool_segment_size = 1MiB\nspool_full = %s\n"
                          "shutdown_timeout = 2s\nqueue_max_events = 64\n" % policy,
                          "queue_full = %s" % session_policy)

    def test_spool_full_block(self):
        with clihelp.TempDir() as self.d:
            p = self.spool_full("block")
            text = self.metrics_until(
                lambda t: (counter(t, "etwfwd_spool_events_total", result="blocked") or 0) > 0
                and (counter(t, "etwfwd_queue_blocked_total") or 0) > 0)
            self.assertEqual(counter(text, "etwfwd_spool_events_total", result="dropped_newest"), 0)
            self.assertEqual(counter(text, "etwfwd_spool_events_total", result="dropped_oldest"), 0)
            self.assertEqual(counter(text, "etwfwd_queue_dropped_total"), 0)
            # A source blocked on the full queue does not keep SIGTERM from ending the run.
            t0 = time.time()
            rc, err = self.stop(p)
            self.assertEqual(rc, 0, err)
            self.assertLess(time.time() - t0, 15)

    def test_spool_full_drop_newest(self):
        with clihelp.TempDir() as self.d:
            p = self.spool_full("drop_newest")
            text = self.metrics_until(
                lambda t: (counter(t, "etwfwd_spool_events_total", result="dropped_newest")
                           or 0) > 0)
            self.assertGreater(counter(text, "etwfwd_events_total", session="s",
                                       stage="spool_refused"), 0)
            rc, err = self.stop(p)
            self.assertEqual(rc, 0, err)

    def test_spool_full_drop_oldest(self):
        with clihelp.TempDir() as self.d:
            p = self.spool_full("drop_oldest")
            text = self.metrics_until(
                lambda t: (counter(t, "etwfwd_spool_events_total", result="dropped_oldest")
                           or 0) > 0)
            self.assertGreater(counter(text, "etwfwd_sink_events_total", sink="out",
                                       result="spool_dropped"), 0)
            rc, err = self.stop(p)
            self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main()
