"""`etwfwd reload -c FILE` against `etwfwd run --follow` (POSIX: SIGHUP to the pid
holding state_dir/etwfwd.lock).

A running pipeline re-reads its edited file: the changed sink restarts, the
other does not, a new session starts; every sink's output then holds exactly
the lines `etwfwd replay` prints for each trace (nothing lost or repeated by
the restart). An invalid file is reported by `reload` itself and, when it
reaches the running process by SIGHUP, refused with its errors logged while
the events keep flowing. A change that needs a restart is refused by name.
"""
import os
import shutil
import signal
import subprocess
import time
import unittest

import clihelp

STATS = '"Name":"etwfwd"'


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").split("\n")[:-1]


def events(path):
    return [l for l in lines(path) if STATS not in l]


def write_conf(d, sessions, batch_a=100, service=""):
    conf = os.path.join(d, "etwfwd.ini")
    text = ("[service]\nstate_dir = %s\nmetrics_listen =\nstats_interval = 1h\n%s\n"
            % (os.path.join(d, "state"), service))
    for name, path in sessions:
        text += "[session:%s]\nkind = file\npath = %s\n\n" % (name, path)
    text += ("[sink:a]\ntype = file\npath = %s\nbatch_max_age = 10ms\nbatch_max_events = %d\n\n"
             "[sink:b]\ntype = file\npath = %s\nbatch_max_age = 10ms\n"
             % (os.path.join(d, "a.ndjson"), batch_a, os.path.join(d, "b.ndjson")))
    with open(conf, "w") as f:
        f.write(text)
    return conf


@unittest.skipIf(clihelp.is_windows(), "SIGHUP and the pid file: POSIX (the service has PARAMCHANGE)")
class Reload(unittest.TestCase):
    def wait_for(self, pred, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred():
                return
            if self.proc.poll() is not None:
                self.fail("etwfwd run exited %d while waiting for %s:\n%s"
                          % (self.proc.returncode, what, self.log()))
            time.sleep(0.05)
        self.fail("never happened: %s\n%s" % (what, self.log()))

    def log(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def test_reload_applies_refuses_and_loses_nothing(self):
        t1 = clihelp.shared("testdata", "etl", "perfview", "primitive-types.etl")
        t2 = clihelp.shared("testdata", "etl", "tx", "HTTP_Server.etl")
        if not (os.path.exists(t1) and os.path.exists(t2)):
            self.skipTest("no shared traces")
        rc, want1, _ = clihelp.run(["replay", t1])
        self.assertEqual(rc, 0)
        rc, want2, _ = clihelp.run(["replay", t2])
        self.assertEqual(rc, 0)
        want1 = want1.split("\n")[:-1]
        want2 = want2.split("\n")[:-1]
        with clihelp.TempDir() as d:
            a, b = os.path.join(d, "a.ndjson"), os.path.join(d, "b.ndjson")
            pid_file = os.path.join(d, "state", "etwfwd.lock")
            conf = write_conf(d, [("s1", t1)])
            self.err_path = os.path.join(d, "run.err")
            with open(self.err_path, "wb") as err:
                self.proc = subprocess.Popen([clihelp.EXE, "run", "-c", conf, "--follow"],
                                             stdout=subprocess.DEVNULL, stderr=err)
            try:
                self.wait_for(lambda: len(events(a)) == len(want1) and
                              len(events(b)) == len(want1), "the first trace delivered")
                with open(pid_file) as f:
                    self.assertEqual(int(f.read()), self.proc.pid)

                # A sink setting changed and a session added.
                write_conf(d, [("s1", t1), ("s2", t2)], batch_a=7)
                rc, out, errtext = clihelp.run(["reload", "-c", conf])
                self.assertEqual(rc, 0, errtext)
                self.assertIn("process %d asked to re-read" % self.proc.pid, out)
                self.wait_for(lambda: "etwfwd.ini: applied, 2 changes" in self.log(),
                              "the reload applied")
                log = self.log()
                self.assertIn("[reload] sink a restarted: batch_max_events changed", log)
                self.assertIn("[reload] session s2 started: new in the configuration", log)
                self.assertNotIn("sink b restarted", log)
                self.assertNotIn("session s1 restarted", log)
                self.wait_for(lambda: len(events(a)) >= len(want1) + len(want2) and
                              len(events(b)) >= len(want1) + len(want2),
                              "the second trace delivered")

                # An invalid file: `reload` says so and does not signal...
                with open(conf, "a") as f:
                    f.write("[sink:c\n")
                rc, out, errtext = clihelp.run(["reload", "-c", conf])
                self.assertEqual(rc, 2)
                self.assertRegex(errtext, r"etwfwd\.ini:\d+: section header without \]")
                self.assertIn("was not asked to reload", errtext)
                self.assertNotIn("refused (invalid)", self.log())
                # ... and a SIGHUP that reaches the process anyway is refused there, logged.
                self.proc.send_signal(signal.SIGHUP)
                self.wait_for(lambda: "refused (invalid), the running configuration stays"
                              in self.log(), "the invalid file refused")
                self.assertRegex(self.log(), r"\[reload\] \S*etwfwd\.ini:\d+: section header")

                # A [service] key that needs a restart is refused by name.
                write_conf(d, [("s1", t1), ("s2", t2)], batch_a=7,
                           service="queue_max_events = 1000\n")
                rc, _, errtext = clihelp.run(["reload", "-c", conf])
                self.assertEqual(rc, 0, errtext)
                self.wait_for(lambda: "[service] queue_max_events changed, which needs a "
                              "restart of etwfwd" in self.log(), "the refusal")
                self.assertEqual(self.log().count("applied,"), 1)
            finally:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=60)
            self.assertEqual(self.proc.returncode, 0, self.log())
            with open(pid_file) as f:
                self.assertEqual(f.read(), "", "the lock file is emptied at exit")
            # Every line once, in order: s1's trace, then s2's, in both sinks.
            self.assertEqual(events(a), want1 + want2)
            self.assertEqual(events(b), want1 + want2)

    def test_reload_without_a_running_etwfwd(self):
        with clihelp.TempDir() as d:
            conf = write_conf(d, [("s1", "/nonexistent.etl")])
            rc, _, err = clihelp.run(["reload", "-c", conf])
            self.assertEqual(rc, 1)
            self.assertIn("no etwfwd is running on state_dir", err)
            os.makedirs(os.path.join(d, "state"))
            # A lock file nobody holds, with a pid no process has (above pid_max).
            with open(os.path.join(d, "state", "etwfwd.lock"), "w") as f:
                f.write("2147483646\n")
            rc, _, err = clihelp.run(["reload", "-c", conf])
            self.assertEqual(rc, 1)
            self.assertIn("etwfwd.lock is not held, a stale file", err)
            rc, _, err = clihelp.run(["reload"])
            self.assertEqual(rc, 2)
            self.assertIn("usage", err)
            rc, _, err = clihelp.run(["reload", "-c", conf, "--name", "x"])
            self.assertEqual(rc, 2)


@unittest.skipUnless(clihelp.is_windows(), "PARAMCHANGE to a service: Windows")
class ReloadService(unittest.TestCase):
    """`reload` on Windows talks to the SCM; the service itself is tested with `install`."""

    def test_missing_service(self):
        rc, _, err = clihelp.run(["reload", "--name", "etwfwd-no-such-service"])
        self.assertEqual(rc, 1, err)
        self.assertIn("there is no service etwfwd-no-such-service", err)

    def test_invalid_config_is_reported_and_nothing_is_sent(self):
        with clihelp.TempDir() as d:
            conf = os.path.join(d, "bad.ini")
            with open(conf, "w") as f:
                f.write("[service]\nstate_dir = %s\n[sink:c\n" % clihelp.host_path(d))
            rc, _, err = clihelp.run(["reload", "-c", clihelp.host_path(conf),
                                      "--name", "etwfwd-no-such-service"])
            self.assertEqual(rc, 2)
            self.assertRegex(err, r"bad\.ini:3: section header without \]")
            self.assertIn("was not asked to reload", err)


if __name__ == "__main__":
    unittest.main()
