#!/usr/bin/env python3
"""etwfwd as a Windows service under Wine's service control manager.

install -> start -> status -> events flowing -> stop -> uninstall, with the
service really running under the SCM (a file session replaying a shared
trace into a file sink); a stop while events are in flight loses none; a
configuration error stops the service within seconds with 1066 and the
documented service-specific code 2; the service entry started from a
console says what to run instead; install's settings as the registry holds
them; --reconfigure on a service registered the way Wine's msiexec does.

Expected events come from `etwfwd replay` (the portable .etl reader, not
the pipeline under test), as in tests/cli/test_run.py. Expected settings are
worked out by hand from docs/service.md.

Usage: test_scm.py --exe ETWFWD [--wrapper wine]. Under Wine it needs the
WINEPREFIX that tests/run-windows.sh exports. Natively it only checks that
the service commands say they are Windows-only.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import winsvc  # noqa: E402

EXE = None
WRAPPER = ""
SHARED = None
TRACE = None

STATS = '"Name":"etwfwd"'
EVENTLOG_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application"
SDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"  # docs/service.md; SERVICE-MSI-NOTES.md section 6


def etwfwd(args, exe=None, timeout=120):
    cmd = ([WRAPPER] if WRAPPER else []) + [exe or EXE] + list(args)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                       env=winsvc.env())
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def event_lines(path):
    """The sink's lines without the pipeline's own stats events."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").split("\n")
    # A line still being written has no newline yet: leave it out.
    return [l for l in lines[:-1] if STATS not in l]


def replay_lines(trace):
    rc, out, err = etwfwd(["replay", winsvc.host_path(trace)])
    assert rc == 0, err
    # The Windows build's stdout is in text mode: CRLF line ends.
    return [l.rstrip("\r") for l in out.split("\n")[:-1]]


def first_difference(got, want):
    """None when the lists are equal, else a short description (unittest's list diff
    of thousands of long lines takes minutes)."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "line %d differs:\n got  %.300s\n want %.300s" % (i, g, w)
    if len(got) != len(want):
        return "%d lines, want %d" % (len(got), len(want))
    return None


def write_conf(d, trace, sink, extra_session="", name="etwfwd.ini"):
    conf = os.path.join(d, name)
    with open(conf, "w") as f:
        f.write("[service]\nstate_dir = %s\nmetrics_listen =\nstats_interval = 1s\n"
                "shutdown_timeout = 20s\n\n"
                "[session:s]\nkind = file\npath = %s\n%s\n\n"
                "[sink:out]\ntype = file\npath = %s\n"
                % (winsvc.host_path(os.path.join(d, "state")), winsvc.host_path(trace),
                   extra_session, winsvc.host_path(sink)))
    return conf


def wait_for(cond, timeout, step=0.2):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(step)
    return True


class NotWindows(unittest.TestCase):
    def test_service_commands_are_windows_only(self):
        if WRAPPER:
            self.skipTest("the Windows build")
        for cmd in (["install"], ["uninstall"], ["start"], ["stop"], ["status", "--json"],
                    ["service", "-c", "x.ini"]):
            with self.subTest(cmd=cmd[0]):
                rc, _, err = etwfwd(cmd)
                self.assertEqual(rc, 2, err)
                self.assertIn("Windows-only", err)
                self.assertIn("etwfwd run -c", err)


class ServiceTest(unittest.TestCase):
    """Each test registers services of its own names and removes them afterwards."""

    keep = None
    counter = 0

    @classmethod
    def setUpClass(cls):
        if not WRAPPER:
            raise unittest.SkipTest("the SCM tests run with the Windows build under Wine")
        if not os.environ.get("WINEPREFIX"):
            raise unittest.SkipTest("no WINEPREFIX (run through tests/run-windows.sh)")
        cls.keep = winsvc.Keepalive()

    @classmethod
    def tearDownClass(cls):
        if cls.keep:
            cls.keep.close()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="etwfwd-scm-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def new_name(self):
        ServiceTest.counter += 1
        name = "etwfwd-t%d-%d" % (os.getpid() % 10000, ServiceTest.counter)
        self.addCleanup(self.remove, name)
        return name

    def remove(self, name):
        if winsvc.sc_query(name) is not None:
            etwfwd(["uninstall", "--name", name])

    def install(self, name, conf, exe=None):
        rc, out, err = etwfwd(["install", "-c", winsvc.host_path(conf), "--name", name], exe=exe)
        self.assertEqual(rc, 0, out + err)
        return out, err

    def status(self, name):
        rc, out, err = etwfwd(["status", "--name", name, "--json"])
        self.assertEqual(rc, 0, err)
        return json.loads(out)


class Lifecycle(ServiceTest):
    def test_install_start_status_events_stop_uninstall(self):
        want = replay_lines(TRACE)
        self.assertGreater(len(want), 0)
        name = self.new_name()
        sink = os.path.join(self.tmp, "out.ndjson")
        conf = write_conf(self.tmp, TRACE, sink)
        _, err = self.install(name, conf)

        # Registration, read back from the registry.
        key = winsvc.reg_query(winsvc.service_key(name))
        self.assertIsNotNone(key)
        exe_win = EXE if not WRAPPER else winsvc.host_path(EXE)
        self.assertEqual(key["ImagePath"][1], '"%s" service -c "%s" --name %s'
                         % (exe_win, winsvc.host_path(conf), name))
        self.assertEqual(winsvc.reg_dword(key, "Start"), 2)  # SERVICE_AUTO_START
        self.assertEqual(winsvc.reg_dword(key, "Type"), 0x10)  # own process
        self.assertEqual(key["ObjectName"][1], "LocalSystem")
        self.assertIn(winsvc.host_path(conf), key["Description"][1])
        # shutdown_timeout 20 s + 15 s for the ledger and the exit (docs/service.md).
        self.assertEqual(winsvc.reg_dword(key, "PreshutdownTimeout"), 35000)
        # The event source, registered with etwfwd.exe as its message file.
        source = winsvc.reg_query(EVENTLOG_KEY + "\\" + name)
        self.assertIsNotNone(source, err)
        self.assertEqual(source["EventMessageFile"][1], exe_win)
        # Delayed start: stored, or a warning says this SCM refused it (Wine: level 3 -> 124).
        if winsvc.reg_dword(key, "DelayedAutostart") != 1:
            self.assertIn("warning: delayed automatic start", err)

        # Start: RUNNING under the SCM, status agrees.
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        ok, q, _ = winsvc.wait_state(name, winsvc.RUNNING, 30)
        self.assertTrue(ok, q)
        st = self.status(name)
        self.assertEqual(st["state"], "RUNNING")
        self.assertGreater(st["pid"], 0)
        self.assertEqual(st["config"], winsvc.host_path(conf))
        self.assertEqual((st["win32_exit_code"], st["service_exit_code"]), (0, 0))

        # Every event of the trace arrives, in order, while the service runs.
        self.assertTrue(wait_for(lambda: len(event_lines(sink)) >= len(want), 60),
                        "%d of %d events" % (len(event_lines(sink)), len(want)))
        self.assertIsNone(first_difference(event_lines(sink), want))
        # The status file catches up at the next stats tick (1 s): events forwarded
        # counts every acknowledged event, the stats events too.
        self.assertTrue(wait_for(lambda: (self.status(name)["events_forwarded"] or 0)
                                 >= len(want), 10), self.status(name))
        st = self.status(name)
        self.assertGreaterEqual(st["uptime_s"], 0)
        # The status file behind it: this process, running, its start time.
        with open(os.path.join(self.tmp, "state", "service-status.json")) as f:
            sf = json.load(f)
        self.assertEqual((sf["pid"], sf["running"]), (st["pid"], True))
        self.assertLessEqual(abs(sf["started_ms"] / 1000 + st["uptime_s"] - time.time()), 3)
        time.sleep(2)
        self.assertGreaterEqual(self.status(name)["uptime_s"], st["uptime_s"] + 1)
        rc, text, _ = etwfwd(["status", "--name", name])
        self.assertEqual(rc, 0)
        self.assertRegex(text, r"state:\s+RUNNING")
        self.assertRegex(text, r"pid:\s+%d" % st["pid"])

        # Stop: STOPPED with exit code 0, nothing left running.
        rc, out, err = etwfwd(["stop", "--name", name])
        self.assertEqual(rc, 0, out + err)
        q = winsvc.sc_query(name)
        self.assertEqual(q["state"], winsvc.STOPPED)
        self.assertEqual((q["win32_exit_code"], q["service_exit_code"]), (0, 0))
        st = self.status(name)
        self.assertEqual(st["state"], "STOPPED")
        self.assertGreaterEqual(st["last_run_events_forwarded"], len(want))
        self.assertIsNone(first_difference(event_lines(sink), want))

        # The service set state_dir's protected DACL (Wine cannot show ACLs:
        # the return code, through the log line, and the SDDL).
        with open(os.path.join(self.tmp, "state", "logs", "etwfwd.log"), "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertIn("protected DACL %s set" % SDDL, log)

        # Uninstall: the service and its registry key are gone.
        rc, out, err = etwfwd(["uninstall", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: winsvc.sc_query(name) is None, 10))
        rc, _, _ = winsvc.run(["sc", "query", name])
        self.assertNotEqual(rc, 0)
        self.assertIsNone(winsvc.reg_query(winsvc.service_key(name)))
        self.assertIsNone(winsvc.reg_query(EVENTLOG_KEY + "\\" + name))
        rc, _, err = etwfwd(["status", "--name", name])
        self.assertEqual(rc, 1)
        self.assertIn("not installed", err)

    def test_stop_with_events_in_flight_loses_none(self):
        want = replay_lines(TRACE)
        name = self.new_name()
        sink = os.path.join(self.tmp, "out.ndjson")
        # 109 s of trace at 5x: about 22 s of replay, stopped a few seconds in.
        conf = write_conf(self.tmp, TRACE, sink, "replay_speed = 5")
        self.install(name, conf)
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: len(event_lines(sink)) >= 50, 60))
        rc, out, err = etwfwd(["stop", "--name", name])
        self.assertEqual(rc, 0, out + err)
        q = winsvc.sc_query(name)
        self.assertEqual((q["state"], q["win32_exit_code"]), (winsvc.STOPPED, 0))
        first = len(event_lines(sink))
        self.assertLess(first, len(want), "the stop came after the whole replay")

        # The second start delivers what the spool still held, then resumes the trace
        # after the last event the spool accepted (the session's checkpoint): the sink
        # ends with the whole trace, each event once.
        write_conf(self.tmp, TRACE, sink)
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: len(event_lines(sink)) >= len(want), 60))
        rc, out, err = etwfwd(["stop", "--name", name])
        self.assertEqual(rc, 0, out + err)
        got = event_lines(sink)
        self.assertEqual(len(got), len(want))
        self.assertIsNone(first_difference(got, want))


class Pending(ServiceTest):
    def test_stop_pending_reports_rising_checkpoints(self):
        """While a stop drains (a sink that cannot deliver holds it up to
        shutdown_timeout), the SCM sees STOP_PENDING with a wait hint and a
        checkpoint that keeps rising, then STOPPED with exit 0."""
        name = self.new_name()
        conf = os.path.join(self.tmp, "etwfwd.ini")
        with open(conf, "w") as f:
            f.write("[service]\nstate_dir = %s\nmetrics_listen =\nshutdown_timeout = 6s\n"
                    "[session:s]\nkind = file\npath = %s\n"
                    "[sink:siem]\ntype = http\nurl = http://127.0.0.1:9/bulk\n"
                    % (winsvc.host_path(os.path.join(self.tmp, "state")),
                       winsvc.host_path(TRACE)))
        self.install(name, conf)
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        ok, q, _ = winsvc.wait_state(name, winsvc.RUNNING, 30)
        self.assertTrue(ok, q)
        rc, out, err = winsvc.run(["sc", "stop", name])
        self.assertEqual(rc, 0, out + err)
        pending, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 30:
            q = winsvc.sc_query(name)
            if q["state"] == winsvc.STOPPED:
                break
            if q["state"] == winsvc.STOP_PENDING:
                pending.append((q.get("checkpoint"), q.get("wait_hint")))
            time.sleep(0.3)
        self.assertEqual(q["state"], winsvc.STOPPED, q)
        self.assertEqual(q["win32_exit_code"], 0)
        checkpoints = [c for c, _ in pending]
        self.assertGreaterEqual(len(set(checkpoints)), 3, pending)
        self.assertEqual(checkpoints, sorted(checkpoints), pending)
        self.assertTrue(all(h and h > 0 for _, h in pending), pending)


class Reload(ServiceTest):
    """`etwfwd reload --name` sends PARAMCHANGE: the service re-reads its file."""

    def log_text(self):
        path = os.path.join(self.tmp, "state", "logs", "etwfwd.log")
        if not os.path.exists(path):
            return ""
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def test_valid_file_applied_invalid_file_refused(self):
        want = replay_lines(TRACE)
        name = self.new_name()
        sink = os.path.join(self.tmp, "out.ndjson")
        conf = write_conf(self.tmp, TRACE, sink)
        self.install(name, conf)
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: len(event_lines(sink)) >= len(want), 60))

        # A changed sink setting: that sink restarts, the service keeps running.
        with open(conf, "a") as f:
            f.write("batch_max_events = 77\n")
        rc, out, err = etwfwd(["reload", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: "sink out restarted: batch_max_events changed"
                                 in self.log_text(), 30), self.log_text()[-2000:])
        self.assertEqual(winsvc.sc_query(name)["state"], winsvc.RUNNING)

        # An invalid file: refused with its errors, the running configuration stays.
        with open(conf, "a") as f:
            f.write("bogus_key = 1\n")
        # Given the file (-c), reload checks it first and sends nothing...
        rc, out, err = etwfwd(["reload", "-c", winsvc.host_path(conf), "--name", name])
        self.assertEqual(rc, 2, out + err)
        self.assertIn("bogus_key", err)
        # ... without it, the service gets PARAMCHANGE, reads the file and refuses it.
        rc, out, err = etwfwd(["reload", "--name", name])
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(wait_for(lambda: "refused (invalid)" in self.log_text(), 30),
                        self.log_text()[-2000:])
        self.assertIn("bogus_key", self.log_text())
        self.assertEqual(winsvc.sc_query(name)["state"], winsvc.RUNNING)

        rc, out, err = etwfwd(["stop", "--name", name])
        self.assertEqual(rc, 0, out + err)
        got = event_lines(sink)
        self.assertIsNone(first_difference(got, want))


class Failures(ServiceTest):
    def test_configuration_error_stops_with_1066_and_code_2(self):
        name = self.new_name()
        conf = os.path.join(self.tmp, "bad.ini")
        with open(conf, "w") as f:
            f.write("[service]\nbogus = 1\n[session:s]\nkind = file\npath = x.etl\n"
                    "[sink:out]\ntype = nope\n")
        self.install(name, conf)
        t0 = time.monotonic()
        rc, _, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 1)
        self.assertIn("service-specific 2", err)
        ok, q, _ = winsvc.wait_state(name, winsvc.STOPPED, 10)
        self.assertTrue(ok, q)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(q["win32_exit_code"], winsvc.ERROR_SERVICE_SPECIFIC_ERROR)
        self.assertEqual(q["service_exit_code"], 2)
        st = self.status(name)
        self.assertEqual((st["state"], st["win32_exit_code"], st["service_exit_code"]),
                         ("STOPPED", 1066, 2))
        # The errors, with their lines, in the log file of the default state_dir
        # (the configuration's own is unknown when it does not load):
        # %ProgramData%\etwfwd\logs\etwfwd.log as the service sees it. Wine gives
        # services a ProgramData of C:\users\Public, consoles C:\ProgramData: look in
        # every etwfwd.log of the prefix for this service's name.
        drive_c = winsvc.prefix_path("C:\\")
        logs = glob.glob(os.path.join(drive_c, "**", "etwfwd", "logs", "etwfwd.log"),
                         recursive=True)
        log = ""
        for path in logs:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            if "service %s:" % name in text:
                log = text
        self.assertIn("service %s: configuration %s cannot be loaded" % (name,
                      winsvc.host_path(conf)), log)
        self.assertIn("bad.ini:2: [service] bogus: unknown key", log)
        self.assertIn("bad.ini:7: [sink:out] type: 'nope' is not valid", log)

    def test_runtime_failure_stops_with_1066_and_code_1(self):
        # A file that loads but whose sink cannot open: a folder on a drive that does
        # not exist (`validate` would say so; the service finds out when it opens it).
        name = self.new_name()
        conf = write_conf(self.tmp, TRACE, "/nonexistent-etwfwd/out.ndjson")
        with open(conf) as f:
            text = f.read().replace(winsvc.host_path("/nonexistent-etwfwd/out.ndjson"),
                                    "Q:\\nope\\out.ndjson")
        with open(conf, "w") as f:
            f.write(text)
        self.install(name, conf)
        rc, _, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 1)
        ok, q, _ = winsvc.wait_state(name, winsvc.STOPPED, 10)
        self.assertTrue(ok, q)
        self.assertEqual((q["win32_exit_code"], q["service_exit_code"]),
                         (winsvc.ERROR_SERVICE_SPECIFIC_ERROR, 1))
        with open(os.path.join(self.tmp, "state", "logs", "etwfwd.log"), "rb") as f:
            self.assertIn("sink out: cannot open", f.read().decode("utf-8", "replace"))

    def test_console_start_says_what_to_run_instead(self):
        conf = os.path.join(self.tmp, "x.ini")
        t0 = time.monotonic()
        rc, out, err = etwfwd(["service", "-c", winsvc.host_path(conf), "--name", "x1"])
        took = time.monotonic() - t0
        self.assertEqual(rc, 2, out + err)
        self.assertIn('etwfwd run -c "%s"' % winsvc.host_path(conf), err)
        # Without the parent check the dispatcher fails only after Wine's 10 s (1063).
        self.assertLess(took, 8)

    def test_second_install_is_refused(self):
        name = self.new_name()
        conf = write_conf(self.tmp, TRACE, os.path.join(self.tmp, "o.ndjson"))
        self.install(name, conf)
        rc, _, err = etwfwd(["install", "-c", winsvc.host_path(conf), "--name", name])
        self.assertEqual(rc, 1)
        self.assertIn("already installed", err)


class Configuration(ServiceTest):
    def copy_exe_with_default(self, default_text):
        bindir = os.path.join(self.tmp, "Program Files", "etwfwd")
        os.makedirs(bindir)
        exe = os.path.join(bindir, "etwfwd.exe")
        shutil.copy(EXE, exe)
        with open(os.path.join(bindir, "etwfwd.default.ini"), "w") as f:
            f.write(default_text)
        return exe

    def test_missing_configuration_is_created_from_the_default(self):
        sink = os.path.join(self.tmp, "out.ndjson")
        with open(write_conf(self.tmp, TRACE, sink, name="default.ini")) as f:
            default = f.read()
        exe = self.copy_exe_with_default(default)
        conf = os.path.join(self.tmp, "ProgramData", "etwfwd", "etwfwd.ini")
        name = self.new_name()
        self.install(name, conf, exe=exe)
        with open(conf) as f:
            self.assertEqual(f.read(), default)
        # The service does the same at its start.
        os.remove(conf)
        rc, out, err = etwfwd(["start", "--name", name])
        self.assertEqual(rc, 0, out + err)
        with open(conf) as f:
            self.assertEqual(f.read(), default)
        want = replay_lines(TRACE)
        self.assertTrue(wait_for(lambda: len(event_lines(sink)) >= len(want), 60))
        rc, out, err = etwfwd(["stop", "--name", name])
        self.assertEqual(rc, 0, out + err)

    def test_reconfigure_quotes_what_msiexec_registered(self):
        # Wine's msiexec writes ImagePath as TargetPath + " " + Arguments, unquoted.
        exe = self.copy_exe_with_default("")
        conf = write_conf(self.tmp, TRACE, os.path.join(self.tmp, "o.ndjson"))
        name = self.new_name()
        unquoted = "%s service -c %s --name %s" % (winsvc.host_path(exe),
                                                    winsvc.host_path(conf), name)
        rc, out, err = winsvc.run(["sc", "create", name, "binPath=", unquoted])
        self.assertEqual(rc, 0, out + err)
        key = winsvc.reg_query(winsvc.service_key(name))
        self.assertEqual(key["ImagePath"][1], unquoted)
        self.assertNotIn("Description", key)
        rc, out, err = etwfwd(["install", "--reconfigure", "--name", name], exe=exe)
        self.assertEqual(rc, 0, out + err)
        key = winsvc.reg_query(winsvc.service_key(name))
        self.assertEqual(key["ImagePath"][1], '"%s" service -c "%s" --name %s'
                         % (winsvc.host_path(exe), winsvc.host_path(conf), name))
        self.assertIn(winsvc.host_path(conf), key["Description"][1])
        self.assertEqual(winsvc.reg_dword(key, "PreshutdownTimeout"), 35000)


def main():
    global EXE, WRAPPER, SHARED, TRACE
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--wrapper", default="")
    ap.add_argument("--shared", default=os.environ.get("EF_SHARED_DIR",
                                                       os.path.join(HERE, "..", "..", "..",
                                                                    "shared")))
    ap.add_argument("tests", nargs="*")
    opts = ap.parse_args()
    EXE = os.path.abspath(opts.exe)
    WRAPPER = opts.wrapper
    SHARED = opts.shared
    TRACE = os.path.join(SHARED, "testdata", "etl", "tx", "HTTP_Server.etl")
    argv = [sys.argv[0]] + opts.tests
    prog = unittest.main(module=__name__, argv=argv, exit=False, verbosity=2)
    r = prog.result
    bad = len(r.failures) + len(r.errors)
    # A class skipped in setUpClass is in r.skipped but ran no test.
    skipped = [t for t, _ in r.skipped if isinstance(t, unittest.TestCase)]
    print("scm: %d passed, %d failed, %d skipped"
          % (r.testsRun - bad - len(skipped), bad, len(r.skipped)))
    return 0 if r.wasSuccessful() and r.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
