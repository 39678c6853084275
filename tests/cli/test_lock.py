"""One etwfwd per state_dir, a start that fails sending nothing, a second signal.

- While `run --follow` runs, a second `run` on the same state_dir exits 1 at
  once, naming the holder's pid, without opening the spool or sending.
- A lock file left by a killed instance, or written by hand with a pid
  nobody holds, is taken over without a word.
- A start that fails on a metrics port in use sends nothing, although the
  spool holds events a sink would send at once (a third start, with the
  port free, sends them: the check can fail).
- A second SIGTERM ends the drain at once although shutdown_timeout is 60 s;
  the events stay in the spool (`spool dump` shows them pending) and the
  message says how many.
"""
import os
import re
import signal
import socket
import subprocess
import time
import unittest

import clihelp

STATS = '"Name":"etwfwd"'


def trace():
    return clihelp.shared("testdata", "etl", "perfview", "primitive-types.etl")


def events(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [l for l in f.read().decode("utf-8", "replace").split("\n")[:-1]
                if STATS not in l]


def closed_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_conf(d, sink, service="", name="etwfwd.ini", metrics=""):
    conf = os.path.join(d, name)
    with open(conf, "w") as f:
        f.write("[service]\nstate_dir = %s\nmetrics_listen = %s\nstats_interval = 1h\n%s\n"
                "[session:s]\nkind = file\npath = %s\n\n[sink:out]\n%s\n"
                % (clihelp.host_path(os.path.join(d, "state")), metrics, service,
                   clihelp.host_path(trace()), sink))
    return conf


def file_sink(path):
    return "type = file\npath = %s\nbatch_max_age = 10ms\n" % clihelp.host_path(path)


def http_sink(port):
    return "type = http\nurl = http://127.0.0.1:%d/bulk\nformat = ndjson\n" % port


class Background:
    """`etwfwd run` started in the background, its stderr in a file.

    Its log is read from state_dir/logs/etwfwd.log, flushed line by line:
    under Wine stderr redirected to a file is buffered, and a killed
    process's last lines would never arrive.
    """

    def __init__(self, d, args):
        self.err_path = os.path.join(d, "bg-%d.err" % len(os.listdir(d)))
        self.log_path = os.path.join(d, "state", "logs", "etwfwd.log")
        cmd = ([clihelp.WRAPPER] if clihelp.WRAPPER else []) + [clihelp.EXE] + args
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)

    def log(self):
        text = ""
        for path in (self.log_path, self.err_path):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    text += f.read().decode("utf-8", "replace").replace("\r\n", "\n")
        return text

    def wait_for(self, test, pred, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred():
                return
            if self.proc.poll() is not None:
                test.fail("etwfwd exited %d while waiting for %s:\n%s"
                          % (self.proc.returncode, what, self.log()))
            time.sleep(0.05)
        test.fail("never happened: %s\n%s" % (what, self.log()))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=60)


class Lock(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(trace()):
            self.skipTest("no shared traces")
        rc, out, err = clihelp.run(["replay", trace()])
        self.assertEqual(rc, 0, err)
        self.want = out.split("\n")[:-1]

    def test_second_instance_refused_naming_the_pid_then_crash_taken_over(self):
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, file_sink(out))
            lock = os.path.join(d, "state", "etwfwd.lock")
            first = Background(d, ["run", "-c", clihelp.host_path(conf), "--follow"])
            try:
                first.wait_for(self, lambda: len(events(out)) == len(self.want),
                               "the first run delivered")
                with open(lock) as f:
                    holder = int(f.read())
                if not clihelp.is_windows():
                    self.assertEqual(holder, first.proc.pid)
                logs = os.path.join(d, "state", "logs", "etwfwd.log")
                log_size = os.path.getsize(logs)

                t0 = time.time()
                rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
                self.assertEqual(rc, 1, err)
                self.assertIn("state_dir %s is in use by etwfwd pid %d"
                              % (clihelp.host_path(os.path.join(d, "state")), holder), err)
                self.assertLess(time.time() - t0, 30)
                # Refused before the spool, the sinks and the log file.
                self.assertNotIn("spool", err)
                self.assertNotIn("sink out", err)
                self.assertEqual(len(events(out)), len(self.want))
                self.assertEqual(os.path.getsize(logs), log_size)
                # `replay -c` uses the same spool: refused too.
                rc, _, err = clihelp.run(["replay", clihelp.host_path(trace()), "-c",
                                          clihelp.host_path(conf)])
                self.assertEqual(rc, 1, err)
                self.assertIn("is in use by etwfwd pid %d" % holder, err)
            finally:
                # A crash: no clean exit, the lock file keeps the dead pid.
                first.kill()
            with open(lock) as f:
                self.assertEqual(int(f.read()), holder)
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertNotIn("in use", err)
            with open(lock) as f:
                self.assertEqual(f.read(), "", "emptied at a clean exit")

    def test_stale_lock_file_is_taken_over(self):
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            conf = write_conf(d, file_sink(out))
            os.makedirs(os.path.join(d, "state"))
            # A pid no process has (above the kernel's pid_max), in a file nobody locks.
            with open(os.path.join(d, "state", "etwfwd.lock"), "w") as f:
                f.write("2147483646\n")
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertNotIn("in use", err)
            self.assertEqual(events(out), self.want)

    def test_metrics_port_in_use_fails_before_sending(self):
        with clihelp.TempDir() as d:
            out = os.path.join(d, "out.ndjson")
            # Run 1 leaves the trace's events in the spool: its sink cannot deliver.
            conf = write_conf(d, http_sink(closed_port()))
            first = Background(d, ["run", "-c", clihelp.host_path(conf)])
            try:
                first.wait_for(self, lambda: "every session finished" in first.log(),
                               "the trace in the spool")
            finally:
                first.kill()
            # Run 2: a file sink of the same name would send them at once (a batch
            # is full with one event), but the metrics port is taken.
            busy = socket.socket()
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            try:
                conf = write_conf(d, file_sink(out) + "batch_max_events = 1\n",
                                  name="second.ini",
                                  metrics="127.0.0.1:%d" % busy.getsockname()[1])
                rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            finally:
                busy.close()
            self.assertEqual(rc, 1, err)
            self.assertIn("cannot listen there", err)
            self.assertEqual(events(out), [], err)
            # Run 3, the port free: the held events are sent (so run 2 could have).
            conf = write_conf(d, file_sink(out), name="third.ini")
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)])
            self.assertEqual(rc, 0, err)
            self.assertEqual(events(out)[:len(self.want)], self.want)

    @unittest.skipIf(clihelp.is_windows(), "SIGTERM: POSIX (Windows has CTRL_C, the service STOP)")
    def test_second_signal_stops_now_and_keeps_the_spool(self):
        with clihelp.TempDir() as d:
            conf = write_conf(d, http_sink(closed_port()), "shutdown_timeout = 60s\n")
            run = Background(d, ["run", "-c", conf])
            try:
                run.wait_for(self, lambda: "every session finished" in run.log(),
                             "the trace in the spool")
                run.proc.send_signal(signal.SIGTERM)
                run.wait_for(self, lambda: "stopping: draining" in run.log(), "the drain")
                time.sleep(0.5)
                self.assertIsNone(run.proc.poll(), "waits for the sink within shutdown_timeout")
                t0 = time.time()
                run.proc.send_signal(signal.SIGTERM)
                run.proc.wait(timeout=10)
                took = time.time() - t0
            finally:
                run.kill()
            log = run.log()
            self.assertLess(took, 5, log)
            self.assertNotIn("shutdown_timeout reached", log)
            m = re.search(r"second signal: stopping now; (\d+) events stay in the spool for "
                          r"the next start", log)
            self.assertIsNotNone(m, log)
            rc, dump, err = clihelp.run(["spool", "dump", os.path.join(d, "state", "spool")])
            self.assertEqual(rc, 0, err)
            rows = [l.split("\t", 2) for l in dump.split("\n") if l]
            pending = [r[2] for r in rows if r[1] == "pending"]
            self.assertEqual(len(pending), len(rows), "nothing acknowledged")
            self.assertEqual(len(pending), int(m.group(1)))
            self.assertEqual([e for e in pending if STATS not in e], self.want)


if __name__ == "__main__":
    unittest.main()
