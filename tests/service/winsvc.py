"""Helpers for tests that drive Windows services under Wine.

The tests run in the Wine prefix that tests/run-windows.sh made and
exported (WINEPREFIX); its wineserver is already up. Shared by the SCM
tests (test_scm.py) and the MSI tests.

Wine facts these helpers rely on (../shared/SERVICE-MSI-NOTES.md, measured):
- Wine stops every service as soon as no ordinary Wine process is left
  (PRESHUTDOWN, then SHUTDOWN): keep a `Keepalive` open around any test that
  needs a service to stay up.
- Wine's `sc` knows create, description, failure, delete, start, stop and
  query only; the rest of a service's settings is read from the registry
  with `reg query`.
- A Wine program's exit code, as a Linux parent sees it, is mod 256.
"""
import os
import re
import signal
import subprocess
import time

SERVICES_KEY = r"HKLM\System\CurrentControlSet\Services"

STOPPED, START_PENDING, STOP_PENDING, RUNNING = 1, 2, 3, 4
ERROR_SERVICE_SPECIFIC_ERROR = 1066


def env():
    """The environment for Wine: the test's, with Wine's debug output off."""
    e = dict(os.environ)
    e.setdefault("WINEDEBUG", "-all")
    return e


def run(args, timeout=120, wrapper="wine"):
    """Runs `wine ARGS...`; returns (exit code, stdout, stderr)."""
    p = subprocess.run([wrapper] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, env=env())
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def host_path(path):
    """A Linux path as Wine's programs see it (drive Z: is /)."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def prefix_path(win_path):
    r"""A C:\ path of the Wine prefix as a Linux path."""
    m = re.match(r"^[cC]:\\(.*)$", win_path)
    if not m:
        raise ValueError("not a C: path: %r" % win_path)
    return os.path.join(os.environ["WINEPREFIX"], "drive_c", *m.group(1).split("\\"))


class Keepalive:
    """An ordinary Wine process that lives until close(), so Wine keeps services running.

    Started in its own process group with no inherited output (a Wine
    process holding the test's output pipe would make the runner wait for
    it); close() ends the whole group (cmd.exe and its ping.exe).
    """

    def __init__(self):
        self.p = subprocess.Popen(["wine", "cmd", "/c", "ping -n 3600 127.0.0.1 >NUL"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True, env=env())
        # Wait until ping.exe runs, so the keepalive exists before any service starts.
        # (Wine's tasklist lists nothing: look for it among our group's Linux processes.)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self._pinging():
            if self.p.poll() is not None:
                raise RuntimeError("the keepalive Wine process exited (%d)" % self.p.returncode)
            time.sleep(0.1)
        retire_stale_scms()

    def _pinging(self):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    stat = f.read()
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().decode("utf-8", "replace").lower()
            except OSError:
                continue
            # Field 5 (after the parenthesised name) is the process group.
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == self.p.pid and "ping" in cmd and "cmd" not in cmd:
                return True
        return False

    def close(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wine_processes(exe_name):
    """Linux pids of this prefix's Wine processes running exe_name (e.g. services.exe)."""
    prefix = os.path.realpath(os.environ["WINEPREFIX"]).encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv0 = f.read().split(b"\0")[0]
            if not argv0.lower().endswith(b"\\" + exe_name.lower().encode()):
                continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        for var in environ:
            if var.startswith(b"WINEPREFIX=") and os.path.realpath(var[11:]) == prefix:
                pids.append(int(pid))
    return pids


def _start_time(pid):
    with open("/proc/%d/stat" % pid) as f:
        stat = f.read()
    return int(stat[stat.rindex(")") + 2:].split()[19])  # field 22, starttime


def retire_stale_scms():
    """Ends every services.exe of this prefix but the newest; returns how many.

    Measured with Wine 8 in a prefix kept by `wineserver -p5` (as
    tests/run-windows.sh does): when the last ordinary process exits, Wine
    asks services.exe to shut down, but it stays alive, still serving the
    svcctl pipe; the next Wine process runs wineboot again, which starts a
    second services.exe. SCM calls then reach either of them at random:
    `install` registers a service in one and `start` says it does not exist
    in the other. The newest is the one of the running session.
    """
    pids = wine_processes("services.exe")
    if len(pids) < 2:
        return 0
    pids.sort(key=_start_time)
    for pid in pids[:-1]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(wine_processes("services.exe")) > 1:
        time.sleep(0.1)
    return len(pids) - 1


def sc_query(name):
    """`sc query NAME` as a dict (state, win32_exit_code, service_exit_code), or None
    when sc fails (no such service)."""
    rc, out, _ = run(["sc", "query", name], timeout=60)
    if rc != 0:
        return None
    got = {}
    for key, field in (("state", "STATE"), ("win32_exit_code", "WIN32_EXIT_CODE"),
                       ("service_exit_code", "SERVICE_EXIT_CODE"),
                       ("checkpoint", "CHECKPOINT"), ("wait_hint", "WAIT_HINT")):
        m = re.search(r"^\s*%s\s*:\s*(0x[0-9a-fA-F]+|\d+)" % field, out, re.M)
        if m:
            got[key] = int(m.group(1), 0)
    return got if "state" in got else None


def wait_state(name, state, timeout):
    """Polls sc query until the service is in state; returns (reached, last query, seconds)."""
    t0 = time.monotonic()
    q = None
    while True:
        q = sc_query(name)
        if q and q["state"] == state:
            return True, q, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            return False, q, time.monotonic() - t0
        time.sleep(0.2)


def reg_query(key):
    """`reg query KEY`: {value name: (type, data)} of the key itself, or None when the
    key does not exist."""
    rc, out, _ = run(["reg", "query", key], timeout=60)
    if rc != 0:
        return None
    values = {}
    for line in out.splitlines():
        m = re.match(r"^\s{4}(\S.*?)\s{4}(REG_\w+)\s{4}(.*)$", line)
        if m:
            values[m.group(1)] = (m.group(2), m.group(3))
        else:
            m = re.match(r"^\s{4}(\S.*?)\s{4}(REG_\w+)\s*$", line)
            if m:
                values[m.group(1)] = (m.group(2), "")
    return values


def service_key(name):
    return SERVICES_KEY + "\\" + name


def reg_dword(values, name):
    """A REG_DWORD value of a reg_query result as an int, or None."""
    v = values.get(name) if values else None
    if not v or v[0] != "REG_DWORD":
        return None
    return int(v[1], 0)
