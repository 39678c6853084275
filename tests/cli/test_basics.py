"""etwfwd's top level: version, help, unknown commands."""
import re
import unittest

import clihelp


class Basics(unittest.TestCase):
    def test_version(self):
        rc, out, err = clihelp.run(["version"])
        self.assertEqual(rc, 0, err)
        first = out.splitlines()[0]
        self.assertRegex(first, r"^etwfwd \d+\.\d+\.\d+ \((linux|windows) x86_64\)$")
        if clihelp.is_windows():
            self.assertIn("(windows x86_64)", first)
        for lib in ("libuv", "yajl", "libcurl", "expat", "zlib"):
            self.assertRegex(out, r"(?m)^%s \d+\.\d+" % lib)

    def test_dash_dash_version_is_version(self):
        self.assertEqual(clihelp.run(["--version"])[:2], clihelp.run(["version"])[:2])

    def test_version_rejects_arguments(self):
        rc, out, err = clihelp.run(["version", "extra"])
        self.assertEqual(rc, 2)
        self.assertIn("takes no arguments", err)

    def test_help_lists_subcommands(self):
        rc, out, err = clihelp.run(["--help"])
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("usage: etwfwd <command>"))
        cmds = re.findall(r"(?m)^  (\S+)", out.split("commands:")[1])
        self.assertIn("version", cmds)

    def test_no_arguments_is_usage_error(self):
        rc, out, err = clihelp.run([])
        self.assertEqual(rc, 2)
        self.assertIn("usage: etwfwd", err)

    def test_unknown_command(self):
        rc, out, err = clihelp.run(["frobnicate"])
        self.assertEqual(rc, 2)
        self.assertIn("unknown command 'frobnicate'", err)


if __name__ == "__main__":
    unittest.main()
