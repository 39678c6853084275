#!/usr/bin/env python3
"""The MSI under Wine: install, upgrade keeping an edited configuration,
uninstall keeping the configuration and the spool, reinstall, downgrade
refused.

Run by meson (tests/meson.build, Windows build only) inside
tests/run-windows.sh, which exports a throwaway WINEPREFIX with a warm
wineserver:

    test_msi.py --build BUILD_DIR --source SOURCE_ROOT --shared SHARED_DIR

It builds two MSIs with installer/build-msi.sh from the build's etwfwd.exe:
meson's version and one a build number higher. Both ship, as
etwfwd.default.ini, a configuration Wine can run (Wine's ETW is a stub, so
the real default's live sessions cannot start here; tests/cli checks that
file with `validate`): a file session replaying the Tx project's
HTTP_Server.etl into a file sink, so events flowing under the SCM prove the
service runs the configuration it created. The steps share one Wine prefix
and run in order; a step whose predecessor failed is skipped.

Expected values come from outside the code under test: the paths and
registry values from installer/etwfwd.wxs and the service contract
(docs/service.md), the 2041 HttpService events of HTTP_Server.etl from the
Tx project's own test (shared/testdata/etl/README.md).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import winsvc  # noqa: E402  (tests/service/winsvc.py: Wine service helpers)

SERVICE = "etwfwd"
SERVICE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\etwfwd"
EVENT_SOURCE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\etwfwd"
UNINSTALL_KEY = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall"
EXE_WIN = r"C:\Program Files\etwfwd\etwfwd.exe"
ARGS = r'service -c "C:\ProgramData\etwfwd\etwfwd.ini" --name etwfwd'
HTTP_PROVIDER = "dd5ef90a-6398-47a4-ad34-4dcecdef795f"
HTTP_EVENTS = 2041  # Tx's count for HTTP_Server.etl
LICENSES = ["etwfwd", "libuv", "yajl", "curl", "inih", "expat", "zlib", "mingw-w64"]
# ERROR_INSTALL_FAILURE 1603 (a LaunchCondition failed): Wine exit codes are mod 256.
RC_INSTALL_FAILURE = 1603 % 256

OPTS = None


def wine(*args, timeout=180):
    """Runs a Wine program; returns (exit code, stdout + stderr as text).

    The output goes through a file, not a pipe: msiexec leaves Wine
    processes behind (its custom action server, the service it started)
    that inherit its standard handles, and a pipe would stay open as long
    as they live.
    """
    with tempfile.TemporaryFile() as out:
        p = subprocess.run(["wine"] + list(args), stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT, timeout=timeout, env=winsvc.env())
        out.seek(0)
        return p.returncode, out.read().decode("utf-8", "replace").replace("\r\n", "\n")


def program_files(*parts):
    return winsvc.prefix_path("C:\\Program Files\\etwfwd\\" + "\\".join(parts))


def program_data(*parts):
    return winsvc.prefix_path("C:\\ProgramData\\etwfwd\\" + "\\".join(parts))


def service_state():
    """The service's state (4 RUNNING), or None when the SCM does not know it."""
    q = winsvc.sc_query(SERVICE)
    return q["state"] if q else None


def wait_for(cond, seconds, what):
    """Polls cond() until it returns a true value, at most seconds; fails naming what()."""
    deadline = time.monotonic() + seconds
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("after %d s: %s" % (seconds, what()))
        time.sleep(0.5)


def wine_processes(image):
    """Linux pids of this Wine prefix's processes whose command line holds image."""
    prefix = os.environ["WINEPREFIX"].encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().lower()
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if image in cmd and b"WINEPREFIX=" + prefix in env:
            pids.append(int(pid))
    return pids


def service_processes():
    """Linux pids of the installed etwfwd.exe's processes in this Wine prefix."""
    return wine_processes(b"program files\\etwfwd\\etwfwd.exe")


def stop_service():
    """Stops the service and waits until its process has exited.

    What Windows Installer's StopServices does with ServiceControl Wait;
    Wine's only asks the service to stop, and a file of a process still
    running is neither removed nor replaced (measured).
    """
    wine("sc", "stop", SERVICE, timeout=60)
    ok, q, _ = winsvc.wait_state(SERVICE, winsvc.STOPPED, 60)
    if not ok:
        raise AssertionError("service did not stop: %s" % q)
    wait_for(lambda: not service_processes(), 30, lambda: "etwfwd.exe still runs: %s" %
             service_processes())


def products():
    """(ProductCode, DisplayVersion) of every installed product named etwfwd."""
    _, out = wine("reg", "query", UNINSTALL_KEY, "/s", timeout=60)
    found, key, name = [], None, None
    for line in out.splitlines() + [""]:
        if line.startswith("HKEY_"):
            key, name = line.rsplit("\\", 1)[-1], None
            continue
        m = re.match(r"^\s{4}(\S.*?)\s{4}REG_\w+\s{4}(.*)$", line)
        if m and m.group(1) == "DisplayName":
            name = m.group(2)
        elif m and m.group(1) == "DisplayVersion" and name == "etwfwd":
            found.append((key, m.group(2)))
    return found


def http_events():
    """HttpService events the file sink wrote so far."""
    path = program_data("events", "events.json")
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(1 for line in f if HTTP_PROVIDER.encode() in line.lower())


def read(path):
    with open(path, "rb") as f:
        return f.read()


def wine_default_config(shared):
    """The etwfwd.default.ini the test MSIs ship: a configuration Wine can run."""
    tx = os.path.join(shared, "testdata", "etl", "tx")
    return "\r\n".join([
        "; test_msi.py: the default configuration of the test MSIs.",
        "[service]",
        r"state_dir = C:\ProgramData\etwfwd",
        "metrics_listen =",
        "[session:replay]",
        "kind = file",
        "path = " + winsvc.host_path(os.path.join(tx, "HTTP_Server.etl")),
        "manifest = " + winsvc.host_path(os.path.join(tx, "HTTP_Server.man")),
        "[sink:file]",
        "type = file",
        r"path = C:\ProgramData\etwfwd\events\events.json",
        "",
    ])


class Msi(unittest.TestCase):
    """The steps, in name order, on one Wine prefix."""

    failed = None  # the first step that failed: later ones are skipped

    @classmethod
    def setUpClass(cls):
        # A fresh prefix can hold two services.exe (measured after `wineboot
        # -i`): each SCM knows only the services created through it, and
        # msiexec, sc and etwfwd.exe reach either one at random. Then
        # nothing below means anything: say so instead of failing at random.
        scms = wine_processes(b"services.exe")
        if len(scms) > 1:
            raise RuntimeError(
                "the Wine prefix runs %d services.exe (pids %s): restart its wineserver "
                "after `wineboot -i` (wineserver -k; wineserver -w; wineserver -p5; wineboot)"
                % (len(scms), scms))
        cls.tmp = tempfile.TemporaryDirectory(prefix="etwfwd-msi-")
        tmp = cls.tmp.name
        cls.default_ini = os.path.join(tmp, "default.ini")
        with open(cls.default_ini, "w", newline="") as f:
            f.write(wine_default_config(OPTS.shared))
        info = subprocess.run(["meson", "introspect", "--projectinfo", OPTS.build],
                              capture_output=True, text=True, check=True)
        major, minor, build = re.search(r'"version":\s*"(\d+)\.(\d+)\.(\d+)"',
                                        info.stdout).groups()
        cls.v1 = "%s.%s.%s" % (major, minor, build)
        cls.v2 = "%s.%s.%d" % (major, minor, int(build) + 1)
        # The newer MSI's exe must differ, or Windows Installer rightly keeps
        # the installed file (same hash): the build's exe with bytes appended
        # after its last section (an overlay, which the PE loader ignores).
        cls.exe = {cls.v1: read(os.path.join(OPTS.build, "service", "etwfwd.exe"))}
        cls.exe[cls.v2] = cls.exe[cls.v1] + b"etwfwd test_msi.py: the upgrade's exe\0"
        cls.msi = {}
        for v in (cls.v1, cls.v2):
            out = os.path.join(tmp, v)
            exe = os.path.join(tmp, "etwfwd-%s.exe" % v)
            with open(exe, "wb") as f:
                f.write(cls.exe[v])
            p = subprocess.run(["bash", os.path.join(OPTS.source, "installer", "build-msi.sh"),
                                OPTS.build, out, "--version", v, "--default-ini",
                                cls.default_ini, "--exe", exe], capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError("build-msi.sh failed:\n" + p.stderr)
            cls.msi[v] = p.stdout.strip()
        # Wine stops services once no ordinary Wine process is left: keep one.
        cls.keepalive = winsvc.Keepalive()

    @classmethod
    def tearDownClass(cls):
        # Whatever a failed step left installed goes, so the prefix is clean.
        if products():
            wine("msiexec", "/x", winsvc.host_path(cls.msi[cls.v2]), "/qn")
            wine("msiexec", "/x", winsvc.host_path(cls.msi[cls.v1]), "/qn")
        cls.keepalive.close()
        cls.tmp.cleanup()

    def setUp(self):
        if Msi.failed:
            self.skipTest("an earlier step failed: " + Msi.failed)

    def run(self, result=None):
        before = len(result.failures) + len(result.errors) if result else 0
        super().run(result)
        if result and len(result.failures) + len(result.errors) > before and not Msi.failed:
            Msi.failed = self._testMethodName

    def msiexec(self, *args):
        """msiexec ARGS /qn with a verbose log: (exit code, what to show on failure)."""
        log = os.path.join(self.tmp.name, "msiexec-%s.log" % self._testMethodName)
        rc, out = wine("msiexec", *args, "/qn", "/l*v", winsvc.host_path(log))
        text = ""
        if os.path.exists(log):
            raw = read(log)
            text = raw.decode("utf-16-le" if raw[:2] == b"\xff\xfe" else "utf-8", "replace")
        if rc == 0:
            return rc, text
        # What explains a failure: the log's errors and the service's own log.
        lines = [l for l in text.splitlines()
                 if re.search(r"error|fail|Return value 3|WIX_", l, re.I)]
        svc_log = program_data("logs", "etwfwd.log")
        tail = read(svc_log).decode("utf-8", "replace")[-3000:] if os.path.exists(svc_log) else ""
        return rc, "%s\nmsiexec log:\n%s\nsc query: %s\nservice log:\n%s" % (
            out, "\n".join(lines[-40:]), winsvc.sc_query(SERVICE), tail)

    def assert_running_service(self):
        img = winsvc.reg_query(SERVICE_KEY)
        self.assertIsNotNone(img, "service key missing")
        self.assertEqual(img["ImagePath"][1], '"%s" %s' % (EXE_WIN, ARGS))
        self.assertEqual(img["ObjectName"][1], "LocalSystem")
        self.assertEqual(img["Start"][1], "0x2")  # auto
        self.assertEqual(img["Type"][1], "0x10")  # own process
        wait_for(lambda: service_state() == winsvc.RUNNING, 30,
                 lambda: "service not RUNNING: %s" % winsvc.sc_query(SERVICE))
        # The process stop_service() waits for is found while it runs.
        self.assertTrue(service_processes())

    def assert_program_files(self, version):
        self.assertEqual(read(program_files("etwfwd.exe")), self.exe[version])
        self.assertEqual(read(program_files("etwfwd.default.ini")), read(self.default_ini))
        self.assertTrue(os.path.isfile(program_files("README.md")))
        for name in LICENSES:
            self.assertGreater(os.path.getsize(program_files("licenses", name + ".txt")), 100,
                               name)
        src = winsvc.reg_query(EVENT_SOURCE_KEY)
        self.assertIsNotNone(src, "event source key missing")
        self.assertEqual(src["EventMessageFile"][1], EXE_WIN)
        self.assertEqual(src["TypesSupported"], ("REG_DWORD", "0x7"))

    def test_1_install(self):
        self.assertFalse(os.path.exists(program_data("etwfwd.ini")), "dirty prefix")
        rc, log = self.msiexec("/i", winsvc.host_path(self.msi[self.v1]))
        self.assertEqual(rc, 0, log)
        self.assert_program_files(self.v1)
        self.assert_running_service()
        self.assertEqual(products()[0][1], self.v1)
        # The service created the configuration from the shipped default.
        self.assertEqual(read(program_data("etwfwd.ini")), read(self.default_ini))
        # ...and runs it: every event of the trace reaches the file sink.
        wait_for(lambda: http_events() >= HTTP_EVENTS, 90,
                 lambda: "%d of %d events in the file sink" % (http_events(), HTTP_EVENTS))
        self.assertEqual(http_events(), HTTP_EVENTS)
        self.assertTrue(os.path.isdir(program_data("spool")))

    def test_2_upgrade_keeps_configuration(self):
        conf = program_data("etwfwd.ini")
        edited = read(conf) + b"; edited by test_msi.py before the upgrade\r\n"
        with open(conf, "wb") as f:
            f.write(edited)
        stop_service()
        rc, log = self.msiexec("/i", winsvc.host_path(self.msi[self.v2]))
        self.assertEqual(rc, 0, log)
        self.assertEqual(read(conf), edited)
        self.assert_program_files(self.v2)
        self.assert_running_service()
        got = products()
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0][1], self.v2)

    def test_3_uninstall_keeps_data(self):
        conf_before = read(program_data("etwfwd.ini"))
        events_before = read(program_data("events", "events.json"))
        stop_service()
        rc, log = self.msiexec("/x", winsvc.host_path(self.msi[self.v2]))
        self.assertEqual(rc, 0, log)
        self.assertIsNone(winsvc.reg_query(SERVICE_KEY), "service key left")
        wait_for(lambda: service_state() is None, 30, lambda: "service still known to the SCM")
        self.assertIsNone(winsvc.reg_query(EVENT_SOURCE_KEY), "event source left")
        self.assertFalse(os.path.exists(program_files("etwfwd.exe")))
        self.assertEqual(products(), [])
        # The user's configuration, the spool and the events stay.
        self.assertEqual(read(program_data("etwfwd.ini")), conf_before)
        self.assertTrue(os.path.isdir(program_data("spool")))
        self.assertGreaterEqual(len(events_before), 1)
        self.assertEqual(read(program_data("events", "events.json"))[:len(events_before)],
                         events_before)

    def test_4_reinstall_then_downgrade_refused(self):
        # A fresh install over the data an uninstall kept uses the configuration
        # there, not the default.
        conf = read(program_data("etwfwd.ini"))
        self.assertNotEqual(conf, read(self.default_ini))
        rc, log = self.msiexec("/i", winsvc.host_path(self.msi[self.v2]))
        self.assertEqual(rc, 0, log)
        self.assert_running_service()
        self.assertEqual(read(program_data("etwfwd.ini")), conf)
        # Installing the older version over it is refused by MajorUpgrade's
        # Upgrade row and LaunchCondition (NOT WIX_DOWNGRADE_DETECTED); Wine's
        # /qn log omits the message. (This runs on a fresh install because
        # Wine's removal of the older product in an upgrade deletes the whole
        # UpgradeCodes key, the newer product's entry included: measured.)
        rc, log = self.msiexec("/i", winsvc.host_path(self.msi[self.v1]))
        self.assertEqual(rc, RC_INSTALL_FAILURE, log)
        self.assertRegex(log, r"WIX_DOWNGRADE_DETECTED = \{[0-9A-F-]{36}\}")
        got = products()
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0][1], self.v2)
        self.assert_program_files(self.v2)
        self.assert_running_service()
        stop_service()
        rc, log = self.msiexec("/x", winsvc.host_path(self.msi[self.v2]))
        self.assertEqual(rc, 0, log)
        self.assertEqual(products(), [])
        self.assertFalse(os.path.exists(program_files("etwfwd.exe")))


def main():
    global OPTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="the mingw-w64 cross build directory")
    ap.add_argument("--source", required=True, help="the source tree (installer/)")
    ap.add_argument("--shared", required=True, help="../shared (testdata)")
    OPTS = ap.parse_args()
    if not os.environ.get("WINEPREFIX"):
        print("test_msi: WINEPREFIX is not set: run through tests/run-windows.sh")
        return 1
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Msi)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    bad = len(result.failures) + len(result.errors)
    passed = max(0, result.testsRun - bad - len(result.skipped))
    print("msi: %d passed, %d failed, %d skipped" % (passed, bad, len(result.skipped)))
    return 0 if bad == 0 and not result.skipped else 1


if __name__ == "__main__":
    sys.exit(main())
