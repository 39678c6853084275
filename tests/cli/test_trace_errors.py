"""Trace files that are not traces, damaged traces, and output that cannot
be written: every command that reads a trace says the same thing, and the
exit code tells a script that something was lost (issue 14, item 5)."""
import os
import subprocess
import unittest

import clihelp

HTTP = ("testdata", "etl", "tx", "HTTP_Server.etl")


def damaged_copy(d):
    """HTTP_Server.etl with buffer 2 zeroed and the last buffer cut in half."""
    with open(clihelp.shared(*HTTP), "rb") as f:
        data = bytearray(f.read())
    data[0x4000:0x6000] = bytes(0x2000)
    path = os.path.join(d, "damaged.etl")
    with open(path, "wb") as f:
        f.write(data[:-0x1000])
    return path


class NotATrace(unittest.TestCase):
    """A directory, an empty file and a text file: one message, one exit code."""

    def cases(self, d):
        os.mkdir(os.path.join(d, "dir.etl"))
        open(os.path.join(d, "empty.etl"), "wb").close()
        with open(os.path.join(d, "notes.txt"), "wb") as f:
            f.write(b"hello\n" * 100)
        return [("dir.etl", "is a directory, not an .etl file"),
                ("empty.etl", "empty file, not an .etl file"),
                ("notes.txt", "not an .etl file (no log file header)")]

    def test_replay_and_inspect_agree(self):
        with clihelp.TempDir() as d:
            for name, why in self.cases(d):
                path = clihelp.host_path(os.path.join(d, name))
                for cmd in ("replay", "inspect"):
                    rc, out, err = clihelp.run([cmd, path])
                    self.assertEqual(rc, 2, (cmd, name, err))
                    self.assertEqual(out, "", (cmd, name))
                    self.assertIn("etwfwd %s: %s: %s" % (cmd, path, why), err, (cmd, name))

    def test_missing_file_is_a_failure_not_usage(self):
        with clihelp.TempDir() as d:
            path = clihelp.host_path(os.path.join(d, "none.etl"))
            for cmd in ("replay", "inspect"):
                rc, out, err = clihelp.run([cmd, path])
                self.assertEqual(rc, 1, (cmd, err))
                self.assertIn("none.etl: no such file", err)


class Damaged(unittest.TestCase):
    def test_replay_fails_and_names_the_offsets_inspect_names(self):
        with clihelp.TempDir() as d:
            path = clihelp.host_path(damaged_copy(d))
            rc, out, err = clihelp.run(["replay", path], timeout=300)
            irc, iout, ierr = clihelp.run(["inspect", path])
        # What could be read is still printed: the rest of the file's events.
        self.assertGreater(out.count("\n"), 1900)
        self.assertEqual(rc, 1, err[-1000:])
        self.assertEqual(irc, 1)
        for where in ("offset 0x4000, buffer 2: invalid buffer header",
                      "offset 0x46000, buffer 35: buffer truncated"):
            self.assertIn("etwfwd replay: %s: damaged at %s" % (path, where), err)
            self.assertIn("error: " + where, iout)

    def test_clean_trace_exits_0(self):
        rc, out, err = clihelp.run(["replay", clihelp.host_path(clihelp.shared(*HTTP))],
                                   timeout=300)
        self.assertEqual(rc, 0, err[-1000:])
        self.assertNotIn("damaged", err)


@unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
class FullOutput(unittest.TestCase):
    def test_replay_into_a_full_disk_fails(self):
        cmd = ([clihelp.WRAPPER] if clihelp.WRAPPER else []) + [
            clihelp.EXE, "replay", clihelp.host_path(clihelp.shared(*HTTP))]
        with open("/dev/full", "wb") as full:
            p = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, timeout=300)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, err[-1000:])
        self.assertIn("etwfwd replay: cannot write to standard output", err)


if __name__ == "__main__":
    unittest.main()
