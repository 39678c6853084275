#!/usr/bin/env python3
"""Runs the command-line tests: every tests/cli/test_*.py, against one etwfwd.

Each test module uses `etwfwd.run(args)` from clihelp.py, which starts the
binary (through Wine for the Windows build) and returns its exit code and
output. This driver only sets that up and prints one summary line.
"""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clihelp  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True, help="the etwfwd binary under test")
    ap.add_argument("--wrapper", default="", help="program to run it with (wine)")
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    ap.add_argument("pattern", nargs="?", default="test_*.py")
    opts = ap.parse_args()
    clihelp.configure(opts.exe, opts.wrapper, opts.shared)

    suite = unittest.defaultTestLoader.discover(HERE, pattern=opts.pattern, top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("cli: %d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
