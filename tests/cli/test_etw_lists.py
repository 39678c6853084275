"""`etwfwd providers` and `etwfwd sessions`: natively a clear "needs Windows";
under Wine what Wine's stubs allow, without a crash or a hang.

Wine 8's tdh.dll exports TdhEnumerateProviders as a stub that raises
exception 0x80000100 (an unhandled one ends the process with Wine's crash
dump); etwfwd catches it on a thread of its own and exits 1 with a message
naming the exception. Wine's QueryAllTracesW succeeds with no sessions.
"""
import json
import os
import re
import unittest

import clihelp


class BothPlatforms(unittest.TestCase):
    def test_listed_in_help(self):
        rc, out, err = clihelp.run(["--help"])
        self.assertEqual(rc, 0, err)
        cmds = re.findall(r"(?m)^  (\S+)", out.split("commands:")[1])
        self.assertIn("providers", cmds)
        self.assertIn("sessions", cmds)
        self.assertIn("selftest", cmds)

    def test_usage_errors(self):
        for args in (["providers", "a", "b"], ["providers", "--bogus"], ["sessions", "x"],
                     ["sessions", "--bogus"]):
            rc, out, err = clihelp.run(args)
            self.assertEqual(rc, 2, args)
            self.assertIn("usage: etwfwd %s" % args[0], err)
            self.assertEqual(out, "")

    def test_help(self):
        for cmd in ("providers", "sessions"):
            rc, out, err = clihelp.run([cmd, "--help"])
            self.assertEqual(rc, 0, err)
            self.assertIn("usage: etwfwd %s" % cmd, out)
            self.assertIn("Windows only", out)


@unittest.skipIf(clihelp.is_windows(), "the native build only")
class Native(unittest.TestCase):
    def test_needs_windows(self):
        for args in (["providers"], ["providers", "kernel", "--json"], ["sessions"],
                     ["sessions", "--json"], ["selftest"], ["selftest", "--events", "5"]):
            rc, out, err = clihelp.run(args)
            self.assertEqual(rc, 2, args)
            self.assertIn("etwfwd %s: needs Windows" % args[0], err)
            self.assertEqual(out, "")


@unittest.skipUnless(clihelp.is_windows(), "the Windows build under Wine only")
class UnderWine(unittest.TestCase):
    def test_providers_reports_the_stub(self):
        for args in (["providers"], ["providers", "Kernel", "--json"]):
            rc, out, err = clihelp.run(args, timeout=60)
            # 1, not Wine's crash (the process would end with the exception's code).
            self.assertEqual(rc, 1, err)
            self.assertEqual(out, "")
            self.assertIn("etwfwd providers: cannot list the registered providers: "
                          "TdhEnumerateProviders raised exception 0x80000100", err)
            self.assertNotIn("Backtrace", err)

    def test_sessions_lists_none(self):
        rc, out, err = clihelp.run(["sessions", "--json"], timeout=60)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), {"sessions": []})
        rc, out, err = clihelp.run(["sessions"], timeout=60)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["NAME", "OURS", "BUF(KB)", "BUFFERS", "FREE", "EVENTSLOST",
                                       "RTBUFSLOST", "MODE"])
        self.assertIn("0 sessions", err)

    def test_selftest_says_opentrace_failed(self):
        # Wine's StartTraceW and EnableTraceEx2 succeed and do nothing; its
        # OpenTraceW fails: selftest must say so and exit 1, not hang.
        rc, out, err = clihelp.run(["selftest", "--events", "10"], timeout=60)
        self.assertEqual(rc, 1, err)
        self.assertIn('OpenTraceW("etwfwd-selftest"): access denied (5)', err)
        self.assertIn("Wine's OpenTraceW is a stub", err)
        self.assertNotIn("PASS", out)

    def test_selftest_usage(self):
        for args in (["selftest", "--events", "0"], ["selftest", "--events", "x"],
                     ["selftest", "extra"]):
            rc, out, err = clihelp.run(args, timeout=60)
            self.assertEqual(rc, 2, args)

    def test_run_live_session_fails_clearly(self):
        with clihelp.TempDir() as d:
            conf = os.path.join(d, "etwfwd.ini")
            with open(conf, "w") as f:
                f.write("[service]\nstate_dir = %s\nmetrics_listen =\n\n"
                        "[session:rt]\nkind = realtime\n"
                        "provider = Microsoft-Windows-Kernel-Process:4::0x10\n\n"
                        "[sink:out]\ntype = file\npath = %s\n"
                        % (clihelp.host_path(os.path.join(d, "state")),
                           clihelp.host_path(os.path.join(d, "out.ndjson"))))
            rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)], timeout=60)
            self.assertEqual(rc, 1, err)
            self.assertIn('session rt: OpenTraceW("etwfwd-rt"): access denied (5)', err)


if __name__ == "__main__":
    unittest.main()
