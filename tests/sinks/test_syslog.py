"""The syslog sink against real receivers: rsyslog and syslog-ng from Debian.

Each test starts a receiver on 127.0.0.1 with its own configuration in a
temporary folder (ephemeral ports, a CA and server certificate made with the
openssl CLI for TLS), runs tests/sinks/syslog_send (native, or the .exe
through Wine) to send a file of events, and reads back what the receiver
parsed, written by its own template as one JSON object per message. Checks:
every event arrives exactly once; the receiver's parsed PRI, hostname,
app-name, procid, msgid and structured data are what the event implies; the
MSG is the event's JSON unchanged.

rsyslog is installed as a Debian package (rsyslog, rsyslog-openssl). The
syslog-ng package conflicts with it, so syslog-ng-core is unpacked with
`apt-get download` + `dpkg-deb -x` into ~/.cache/etwfwd/syslog-ng
(packaging/setup-debian.sh; EF_SYSLOG_NG_ROOT overrides). A receiver that is
not installed fails its tests (CI installs both with setup-debian.sh, and a
skip would let meson report OK with the sink untested against it); a
developer without them sets EF_SKIP_MISSING_RECEIVERS=1 to skip them instead,
saying so.

Usage: test_syslog.py --exe PATH [--wrapper wine]
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

EXE = None
WRAPPER = None
RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
SNG_ROOT = os.environ.get("EF_SYSLOG_NG_ROOT",
                          os.path.expanduser("~/.cache/etwfwd/syslog-ng"))
SNG = os.path.join(SNG_ROOT, "usr/sbin/syslog-ng")
SEV = {0: 6, 1: 2, 2: 3, 3: 4, 4: 6, 5: 7}
LOCAL0 = 16


def host_path(p):
    if WRAPPER and os.path.isabs(p):
        return "Z:" + p.replace("/", "\\")
    return p


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_events(n):
    out = []
    for i in range(n):
        ev = {"System": {"Provider": {"Name": "Test-Provider\"q]",
                                      "Guid": "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"},
                         "EventID": 100 + i % 5, "Level": {"Value": i % 6},
                         "TimeCreated": {"SystemTime": "2026-11-26T06:05:38.1234567Z"},
                         "Execution": {"ProcessID": 1000 + i, "ThreadID": 8},
                         "Computer": "HOSTA", "Session": "main"},
              "EventData": {"N": i, "Text": "caf\u00e9 \\ \"quoted\""}}
        out.append(json.dumps(ev, separators=(",", ":"), ensure_ascii=False))
    return out


def expected_sd(ev):
    s = ev["System"]
    esc = s["Provider"]["Name"].replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
    return ('[etw@32473 provider="%s" guid="%s" eventId="%d" session="%s"]'
            % (esc, s["Provider"]["Guid"], s["EventID"], s["Session"]))


class CA:
    def __init__(self, d, name="ca"):
        self.d = d
        self.key, self.pem = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
        self.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
                 "-out", self.pem, "-days", "2", "-subj", "/CN=etwfwd test " + name)

    def run(self, *args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True)

    def server(self, name, san):
        p = lambda x: os.path.join(self.d, name + x)  # noqa: E731
        with open(p(".ext"), "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n" % san)
        self.run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p(".key"), "-out",
                 p(".csr"), "-subj", "/CN=" + name)
        self.run("x509", "-req", "-in", p(".csr"), "-CA", self.pem, "-CAkey", self.key,
                 "-CAcreateserial", "-out", p(".pem"), "-days", "2", "-extfile", p(".ext"))
        return p(".pem"), p(".key")


class Receiver:
    """Base: a daemon writing one JSON object per received message to out."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.out = os.path.join(tmp, "out.json")
        self.proc = None
        self.logf = None
        self.tcp, self.udp, self.tls, self.tcp_lf = (free_port(), free_port(socket.SOCK_DGRAM),
                                                     free_port(), free_port())
        self.ca = CA(tmp)
        self.cert, self.key = self.ca.server("server", "IP:127.0.0.1")

    def wait_listening(self):
        deadline = time.time() + 20
        for port in (self.tcp, self.tls):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline or self.proc.poll() is not None:
                        raise RuntimeError("receiver did not start: " + self.log())
                    time.sleep(0.05)

    def log(self):
        try:
            with open(os.path.join(self.tmp, "receiver.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def records(self, want, timeout=20):
        """Waits until want records were written (the receiver writes asynchronously)."""
        deadline = time.time() + timeout
        recs = []
        while time.time() < deadline:
            if os.path.exists(self.out):
                recs = self.complete_lines()
                if len(recs) >= want:
                    break
            time.sleep(0.05)
        # A little longer, so duplicates would show.
        time.sleep(0.3)
        return self.complete_lines()

    def complete_lines(self):
        """The records of the lines written whole: the receiver may be mid-line."""
        with open(self.out, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n") and line.strip()]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.logf:
            self.logf.close()


class Rsyslog(Receiver):
    FIELDS = [("pri", "pri"), ("version", "protocol-version"), ("time", "timereported"),
              ("host", "hostname"), ("app", "app-name"), ("procid", "procid"),
              ("msgid", "msgid"), ("sd", "structured-data"), ("msg", "msg")]

    def start(self):
        tpl = []
        for i, (k, prop) in enumerate(self.FIELDS):
            tpl.append('constant(value="%s\\"%s\\":\\"")' % ("{" if i == 0 else ",", k))
            fmt = ' dateFormat="rfc3339"' if prop == "timereported" else ""
            tpl.append('property(name="%s" format="json"%s)' % (prop, fmt))
            tpl.append('constant(value="\\"")')
        tpl.append('constant(value="}\\n")')
        work = os.path.join(self.tmp, "work")
        os.mkdir(work)
        conf = os.path.join(self.tmp, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write("""
global(workDirectory="%(work)s" maxMessageSize="64k"
       defaultNetstreamDriverCAFile="%(ca)s" defaultNetstreamDriverCertFile="%(cert)s"
       defaultNetstreamDriverKeyFile="%(key)s")
module(load="imudp")
module(load="imtcp" maxSessions="100")
input(type="imudp" address="127.0.0.1" port="%(udp)d" ruleset="r")
input(type="imtcp" address="127.0.0.1" port="%(tcp)d" ruleset="r")
input(type="imtcp" address="127.0.0.1" port="%(tls)d" ruleset="r" streamDriver.name="ossl"
      streamDriver.mode="1" streamDriver.authMode="anon")
template(name="j" type="list") { %(tpl)s }
ruleset(name="r") { action(type="omfile" file="%(out)s" template="j") }
""" % dict(work=work, ca=self.ca.pem, cert=self.cert, key=self.key, udp=self.udp,
                tcp=self.tcp, tls=self.tls, out=self.out, tpl="\n".join(tpl)))
        self.tcp_lf = self.tcp  # imtcp tells octet counting from LF by itself
        self.logf = logf = open(os.path.join(self.tmp, "receiver.log"), "w")
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", conf, "-i",
                                      os.path.join(self.tmp, "rsyslog.pid")],
                                     stdout=logf, stderr=subprocess.STDOUT)
        self.wait_listening()
        return self

    @staticmethod
    def norm(r):
        return {"pri": int(r["pri"]), "version": r["version"], "host": r["host"],
                "app": r["app"], "procid": r["procid"], "msgid": r["msgid"], "sd": r["sd"],
                "msg": r["msg"].lstrip(" "), "time": r["time"]}


class SyslogNg(Receiver):
    def start(self):
        conf = os.path.join(self.tmp, "syslog-ng.conf")
        tpl = ("$(format-json --scope none pri=int(${LEVEL_NUM}) fac=int(${FACILITY_NUM}) "
               "host=${HOST} app=${PROGRAM} procid=${PID} msgid=${MSGID} sd=${SDATA} "
               "msg=${MSG} time=${ISODATE})\\n")
        tls = ('tls(key-file("%s") cert-file("%s") peer-verify(optional-untrusted))'
               % (self.key, self.cert))
        with open(conf, "w") as f:
            f.write("""@version: 3.38
options { keep-hostname(yes); use-dns(no); log-msg-size(65536); stats-freq(0); };
source s {
  syslog(ip("127.0.0.1") port(%(tcp)d) transport("tcp") max-connections(100));
  network(ip("127.0.0.1") port(%(lf)d) transport("tcp") flags(syslog-protocol));
  syslog(ip("127.0.0.1") port(%(udp)d) transport("udp"));
  syslog(ip("127.0.0.1") port(%(tls)d) transport("tls") %(tlsopt)s);
};
destination d { file("%(out)s" template("%(tpl)s")); };
log { source(s); destination(d); };
""" % dict(tcp=self.tcp, lf=self.tcp_lf, udp=self.udp, tls=self.tls, tlsopt=tls,
                out=self.out, tpl=tpl))
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.path.join(SNG_ROOT, "usr/lib/syslog-ng")
        self.logf = logf = open(os.path.join(self.tmp, "receiver.log"), "w")
        self.proc = subprocess.Popen(
            [SNG, "-F", "-f", conf, "-R", os.path.join(self.tmp, "persist"), "-p",
             os.path.join(self.tmp, "sng.pid"), "-c", os.path.join(self.tmp, "sng.ctl"),
             "--no-caps", "--module-path", os.path.join(SNG_ROOT, "usr/lib/syslog-ng/3.38")],
            stdout=logf, stderr=subprocess.STDOUT, env=env)
        self.wait_listening()
        return self

    @staticmethod
    def norm(r):
        return {"pri": int(r["fac"]) * 8 + int(r["pri"]), "version": "1", "host": r["host"],
                "app": r["app"], "procid": r["procid"], "msgid": r["msgid"], "sd": r["sd"],
                "msg": r["msg"], "time": r.get("time", "")}


class Base:
    RX = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="etwfwd-syslog-")
        self.rx = self.RX(self.tmp).start()

    def tearDown(self):
        self.rx.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def send(self, events, transport, framing="octet-counting", port=None, ca="", verify=1,
             deadline=60000, expect_rc=0, host="127.0.0.1"):
        evf = os.path.join(self.tmp, "events.ndjson")
        with open(evf, "w", encoding="utf-8") as f:
            f.write("\n".join(events) + "\n")
        cmd = ([WRAPPER] if WRAPPER else []) + [
            EXE, "%s:%d" % (host, port), transport, framing, "5424", host_path(evf),
            host_path(ca) if ca else "", str(verify), str(deadline)]
        env = dict(os.environ, WINEDEBUG="-all")
        p = subprocess.run(cmd, capture_output=True, timeout=300, env=env)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.assertEqual(p.returncode, expect_rc, out)
        return out

    def check(self, events, recs):
        by_n = {}
        for r in recs:
            n = self.RX.norm(r)
            ev = json.loads(n["msg"])
            self.assertNotIn(ev["EventData"]["N"], by_n, "duplicate")
            by_n[ev["EventData"]["N"]] = (n, ev)
        self.assertEqual(sorted(by_n), list(range(len(events))))
        for i, text in enumerate(events):
            n, ev = by_n[i]
            s = ev["System"]
            self.assertEqual(n["msg"], text)
            self.assertEqual(n["pri"], LOCAL0 * 8 + SEV[s["Level"]["Value"]])
            self.assertEqual(n["host"], "HOSTA")
            self.assertEqual(n["app"], "etwfwd")
            self.assertEqual(n["procid"], str(s["Execution"]["ProcessID"]))
            self.assertEqual(n["msgid"], "EID-%d" % s["EventID"])
            self.assertEqual(n["sd"], expected_sd(ev))
            self.assertEqual(n["version"], "1")
            self.assertTrue(n["time"].startswith("2026-11-26T06:05:38"), n["time"])

    def test_tcp_octet_counting(self):
        ev = make_events(500)
        self.send(ev, "tcp", port=self.rx.tcp)
        self.check(ev, self.rx.records(len(ev)))

    def test_tcp_lf(self):
        ev = make_events(300)
        self.send(ev, "tcp", "lf", port=self.rx.tcp_lf)
        self.check(ev, self.rx.records(len(ev)))

    def test_udp(self):
        ev = make_events(100)
        self.send(ev, "udp", port=self.rx.udp)
        self.check(ev, self.rx.records(len(ev)))

    def test_tls_verified(self):
        ev = make_events(200)
        self.send(ev, "tls", port=self.rx.tls, ca=self.rx.ca.pem)
        self.check(ev, self.rx.records(len(ev)))

    # The rejection cases also run through Wine: the Schannel backend checks
    # the chain and name itself with crypt32 (Wine's automatic validation
    # would accept anything), so they test that code too.
    def test_tls_untrusted_ca_is_refused(self):
        other = CA(self.tmp, "other")
        out = self.send(make_events(3), "tls", port=self.rx.tls, ca=other.pem, deadline=1500,
                        expect_rc=1)
        self.assertIn("certificate rejected", out)
        self.assertIn("acked 0", out)
        time.sleep(0.3)
        self.assertFalse(os.path.exists(self.rx.out) and os.path.getsize(self.rx.out))

    def test_tls_wrong_name_is_refused(self):
        # The server's certificate names only IP:127.0.0.1, not "localhost".
        out = self.send(make_events(3), "tls", port=self.rx.tls, ca=self.rx.ca.pem,
                        deadline=1500, expect_rc=1, host="localhost")
        self.assertIn("certificate rejected", out)
        self.assertIn("acked 0", out)
        time.sleep(0.3)
        self.assertFalse(os.path.exists(self.rx.out) and os.path.getsize(self.rx.out))


def require(path, what):
    """Fails the class's tests when its receiver is missing, or skips them
    when EF_SKIP_MISSING_RECEIVERS=1 says a developer accepts that."""
    def wrap(cls):
        @classmethod
        def setUpClass(klass):
            if os.path.exists(path):
                return
            why = "%s not found at %s (packaging/setup-debian.sh installs it)" % (what, path)
            if os.environ.get("EF_SKIP_MISSING_RECEIVERS") == "1":
                raise unittest.SkipTest(why + "; skipped: EF_SKIP_MISSING_RECEIVERS=1")
            raise AssertionError(why + "; set EF_SKIP_MISSING_RECEIVERS=1 to skip instead")
        cls.setUpClass = setUpClass
        return cls
    return wrap


@require(RSYSLOGD, "rsyslogd")
class RsyslogTest(Base, unittest.TestCase):
    RX = Rsyslog


@require(SNG, "syslog-ng")
class SyslogNgTest(Base, unittest.TestCase):
    RX = SyslogNg


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
