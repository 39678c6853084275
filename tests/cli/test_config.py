"""etwfwd validate and etwfwd config: the configuration's command line.

Data-driven cases: each tests/data/config/NAME.ini has NAME.expected, whose
first line is "exit N" and the rest the exact stdout (exit 0) or stderr
(otherwise), with the file's path written as NAME.ini. Set EF_REGEN=1 to
rewrite the .expected files from the current output (then review the diff).
"""
import glob
import os
import unittest

import clihelp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CASES = os.path.join(ROOT, "tests", "data", "config")
SECRET = "s3cr3t-from-env"
ENV = {"SECRET_TOKEN": SECRET, "ES_PASSWORD": SECRET, "SPLUNK_HEC_TOKEN": SECRET,
       "EF_TEST_65_IDS": ",".join(str(i) for i in range(1, 66))}


def validate(path, env=None, machine=False):
    """validate -c path; only the file (--syntax-only) unless machine is set:
    the cases and examples name folders and schemas of other machines."""
    full = dict(ENV)
    full.update(env or {})
    extra = [] if machine else ["--syntax-only"]
    return clihelp.run(["validate", "-c", clihelp.host_path(path)] + extra, env=full)


class DataCases(unittest.TestCase):
    def test_cases(self):
        names = sorted(glob.glob(os.path.join(CASES, "*.ini")))
        self.assertGreater(len(names), 5)
        for ini in names:
            name = os.path.basename(ini)
            with self.subTest(case=name):
                rc, out, err = validate(ini)
                text = out if rc == 0 else err
                text = text.replace(clihelp.host_path(ini), name)
                got = "exit %d\n%s" % (rc, text)
                self.assertNotIn(SECRET, out + err)
                self.assertNotIn("s3cr3t-literal", out + err)
                exp_path = ini[:-4] + ".expected"
                if os.environ.get("EF_REGEN"):
                    with open(exp_path, "w", encoding="utf-8", newline="\n") as f:
                        f.write(got)
                with open(exp_path, encoding="utf-8") as f:
                    self.assertEqual(got, f.read())
                if rc != 0:
                    self.assertEqual(rc, 2)
                    self.assertEqual(out, "")


class Examples(unittest.TestCase):
    def test_every_example_validates(self):
        names = sorted(glob.glob(os.path.join(ROOT, "examples", "*.ini")))
        self.assertGreaterEqual(len(names), 4)
        kinds, types = set(), set()
        for ini in names:
            with self.subTest(example=os.path.basename(ini)):
                rc, out, err = validate(ini)
                self.assertEqual(rc, 0, err)
                self.assertEqual(err, "")
                self.assertTrue(out.startswith("config %s: OK\n" % clihelp.host_path(ini)))
                self.assertNotIn(SECRET, out)
                kinds.update(l.split("= ")[1] for l in out.splitlines()
                             if l.startswith("  kind = "))
                types.update(l.split("= ")[1] for l in out.splitlines()
                             if l.startswith("  type = "))
        self.assertEqual(kinds, {"realtime", "kernel", "existing", "file"})
        self.assertEqual(types, {"file", "http", "syslog"})


class MachineChecks(unittest.TestCase):
    """What run would fail on at start, found by validate (issue 14, item 6)."""

    def conf(self, d, state_dir, sink_path, manifest=None):
        p = os.path.join(d, "etwfwd.ini")
        with open(p, "w") as f:
            f.write("[service]\nstate_dir = %s\n[session:s]\nkind = file\npath = x.etl\n%s"
                    "[sink:out]\ntype = file\npath = %s\n" % (
                        clihelp.host_path(state_dir),
                        "manifest = %s\n" % clihelp.host_path(manifest) if manifest else "",
                        clihelp.host_path(sink_path)))
        return p

    def test_missing_folders_that_can_be_created_pass(self):
        with clihelp.TempDir() as d:
            p = self.conf(d, os.path.join(d, "state", "new"), os.path.join(d, "out", "a.ndjson"))
            rc, out, err = validate(p, machine=True)
            self.assertEqual(rc, 0, err)
            # validate creates nothing.
            self.assertEqual(sorted(os.listdir(d)), ["etwfwd.ini"])

    def test_folders_that_cannot_be_created(self):
        with clihelp.TempDir() as d:
            blocker = os.path.join(d, "afile")
            with open(blocker, "w") as f:
                f.write("x")
            p = self.conf(d, os.path.join(blocker, "state"), os.path.join(blocker, "o.ndjson"))
            rc, out, err = validate(p, machine=True)
            self.assertEqual(rc, 2, err)
            self.assertEqual(out, "")
            self.assertIn("[service] state_dir: %s is a file, not a folder"
                          % clihelp.host_path(blocker), err)
            self.assertIn(":6: [sink:out] path: %s is a file, not a folder"
                          % clihelp.host_path(blocker), err)
            # --syntax-only checks the file alone.
            rc, out, err = validate(p)
            self.assertEqual(rc, 0, err)

    @unittest.skipIf(clihelp.is_windows() or os.geteuid() == 0,
                     "permission bits: a non-root POSIX user only")
    def test_read_only_folder(self):
        with clihelp.TempDir() as d:
            ro = os.path.join(d, "ro")
            os.mkdir(ro, 0o555)
            p = self.conf(d, os.path.join(ro, "state"), os.path.join(d, "o.ndjson"))
            rc, out, err = validate(p, machine=True)
            self.assertEqual(rc, 2, err)
            self.assertIn("cannot create files in %s" % ro, err)

    def test_manifest_that_does_not_load(self):
        with clihelp.TempDir() as d:
            bad = os.path.join(d, "bad.man")
            with open(bad, "w") as f:
                f.write("<instrumentationManifest><broken")
            p = self.conf(d, os.path.join(d, "state"), os.path.join(d, "o.ndjson"), bad)
            rc, out, err = validate(p, machine=True)
            self.assertEqual(rc, 2, err)
            self.assertIn(":3: [session:s] manifest: %s:1: XML error" % clihelp.host_path(bad),
                          err)

    def test_bad_ports(self):
        with clihelp.TempDir() as d:
            p = os.path.join(d, "etwfwd.ini")
            for url in ("http://h:99999/", "http://h:0/", "https://h:x/", "http://a b/",
                        "http://:80/"):
                with open(p, "w") as f:
                    f.write("[session:s]\nkind = file\npath = x.etl\n"
                            "[sink:es]\ntype = http\nurl = %s\n" % url)
                rc, out, err = validate(p)
                self.assertEqual(rc, 2, (url, err))
                self.assertIn(":6: [sink:es] url: '%s' is not valid" % url, err)
            for url in ("http://h:9200/_bulk", "https://user:pw@[::1]:443/x?y=1", "http://h/"):
                with open(p, "w") as f:
                    f.write("[session:s]\nkind = file\npath = x.etl\n"
                            "[sink:es]\ntype = http\nurl = %s\n" % url)
                rc, out, err = validate(p)
                self.assertEqual(rc, 0, (url, err))


class Encodings(unittest.TestCase):
    BODY = ("[session:s]\nkind = file\npath = C:\\My Traces\\day 1\\*.etl  ; a comment\n"
            "[sink:o]\ntype = file\npath = C:\\Program Files\\etw out\\events.ndjson\n")

    def check(self, data):
        with clihelp.TempDir() as d:
            p = os.path.join(d, "etwfwd.ini")
            with open(p, "wb") as f:
                f.write(data)
            rc, out, err = validate(p)
            self.assertEqual(rc, 0, err)
            self.assertIn("  path = C:\\My Traces\\day 1\\*.etl\n", out)
            self.assertIn("  path = C:\\Program Files\\etw out\\events.ndjson\n", out)

    def test_lf(self):
        self.check(self.BODY.encode())

    def test_crlf(self):
        self.check(self.BODY.replace("\n", "\r\n").encode())

    def test_bom_crlf(self):
        self.check(b"\xef\xbb\xbf" + self.BODY.replace("\n", "\r\n").encode())

    def test_bad_utf8_has_its_line(self):
        with clihelp.TempDir() as d:
            p = os.path.join(d, "bad.ini")
            with open(p, "wb") as f:
                f.write(self.BODY.encode() + b"hostname = caf\xe9\r\n")
            rc, out, err = validate(p)
            self.assertEqual(rc, 2)
            self.assertIn(":7: [sink:o] hostname: not valid UTF-8", err)


class Commands(unittest.TestCase):
    def test_docs_are_generated(self):
        rc, out, err = clihelp.run(["config", "--markdown"])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(ROOT, "docs", "config.md"), encoding="utf-8") as f:
            self.assertEqual(out, f.read(), "docs/config.md is stale: run "
                             "etwfwd config --markdown > docs/config.md")

    def test_help_all_and_one(self):
        rc, out, err = clihelp.run(["config", "--help"])
        self.assertEqual(rc, 0, err)
        for key in ("state_dir", "provider", "kernel_flags", "hec_ack", "rfc", "sink"):
            self.assertIn("  %s = " % key, out)
        rc, out, err = clihelp.run(["config", "--help", "sink.url"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines()[:3], ["[sink:NAME]",
                         "  url = a URL starting with http:// or https://, then a host and an "
                         "optional port 1-65535", "      required"])
        rc, out, err = clihelp.run(["config", "--help", "path"])
        self.assertIn("[session:NAME]", out)
        self.assertIn("[sink:NAME]", out)

    def test_help_unknown_key(self):
        rc, out, err = clihelp.run(["config", "--help", "nope"])
        self.assertEqual(rc, 2)
        self.assertIn("no option 'nope'", err)

    def test_validate_usage(self):
        self.assertEqual(clihelp.run(["validate"])[0], 2)
        self.assertEqual(clihelp.run(["validate", "-c"])[0], 2)
        rc, out, err = clihelp.run(["validate", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("usage: etwfwd validate -c FILE", out)

    def test_validate_missing_file(self):
        with clihelp.TempDir() as d:
            p = clihelp.host_path(os.path.join(d, "none.ini"))
            rc, out, err = clihelp.run(["validate", "-c", p])
            self.assertEqual(rc, 2)
            self.assertEqual(err, "%s: cannot read: no such file or entry\n" % p)


if __name__ == "__main__":
    unittest.main()
