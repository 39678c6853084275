"""`etwfwd spool verify|dump`: clean and damaged spools written byte by byte."""
import os
import unittest

import clihelp
import spoolfmt


def make_spool(folder, n=50, ledger=(("siem", 10),)):
    path, offsets = spoolfmt.write_segment(
        folder, 1, [(i, spoolfmt.event(i)) for i in range(1, n + 1)])
    if ledger is not None:
        spoolfmt.write_ledger(folder, ledger)
    return path, offsets


def patch(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


class SpoolVerify(unittest.TestCase):
    def verify(self, folder):
        return clihelp.run(["spool", "verify", clihelp.host_path(folder)])

    def test_clean_spool(self):
        with clihelp.TempDir() as d:
            make_spool(d)
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("segment 00000000000000000001: 50 events, seq 1..50", out)
            self.assertIn("ledger: sink siem at 10", out)
            self.assertTrue(out.rstrip().endswith("clean"), out)

    def test_folder_that_is_not_a_spool(self):
        # state_dir itself, or a sink's output folder: refused, not "clean".
        with clihelp.TempDir() as d:
            os.mkdir(os.path.join(d, "spool"))
            with open(os.path.join(d, "events.ndjson"), "wb") as f:
                f.write(b"{}\n")
            for verb in ("verify", "dump"):
                rc, out, err = clihelp.run(["spool", verb, clihelp.host_path(d)])
                self.assertEqual(rc, 2, (verb, out, err))
                self.assertIn("not a spool", err)
                self.assertEqual(out, "")

    def test_empty_folder_is_clean(self):
        with clihelp.TempDir() as d:
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("0 segments, 0 events", out)

    def test_truncated_tail(self):
        with clihelp.TempDir() as d:
            path, offsets = make_spool(d)
            os.truncate(path, os.path.getsize(path) - 5)
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("49 events", out)
            tail = os.path.getsize(path) - offsets[49]
            self.assertIn("damage: %d bytes of damaged tail at offset %d" % (tail, offsets[49]),
                          out)

    def test_bad_crc_mid_segment_keeps_later_records(self):
        with clihelp.TempDir() as d:
            path, offsets = make_spool(d)
            patch(path, offsets[19] + 20, b"#")
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("49 events, seq 1..50", out)
            self.assertIn("damage: 1 records lost in 1 damaged regions", out)
            # dump prints every good event, then fails on the damage.
            rc, out, err = clihelp.run(["spool", "dump", clihelp.host_path(d)])
            self.assertEqual(rc, 1, err)
            self.assertIn("damaged: 1 records lost", err)
            seqs = [int(line.split("\t")[0]) for line in out.splitlines()]
            self.assertEqual(seqs, [i for i in range(1, 51) if i != 20])

    def test_zero_filled_tail(self):
        with clihelp.TempDir() as d:
            path, _ = make_spool(d)
            with open(path, "ab") as f:
                f.write(b"\0" * 8192)
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("damage: 8192 bytes of damaged tail", out)

    def test_missing_ledger(self):
        with clihelp.TempDir() as d:
            make_spool(d, ledger=None)
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("ledger: missing", out)

    def test_unreadable_ledger(self):
        with clihelp.TempDir() as d:
            make_spool(d)
            patch(os.path.join(d, "ledger"), 23, b"x")
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("ledger: unreadable", out)

    def test_ledger_past_the_end(self):
        with clihelp.TempDir() as d:
            make_spool(d, ledger=(("siem", 10), ("local", 900)))
            rc, out, err = self.verify(d)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("ledger: sink local at 900 (damage: past the newest event)", out)

    def test_usage(self):
        self.assertEqual(clihelp.run(["spool"])[0], 2)
        self.assertEqual(clihelp.run(["spool", "check", "x"])[0], 2)
        with clihelp.TempDir() as d:
            rc, out, err = clihelp.run(["spool", "verify", clihelp.host_path(d + "/nope")])
            self.assertEqual(rc, 2)
            self.assertIn("not a folder", err)
        rc, out, err = clihelp.run(["spool", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("usage: etwfwd spool verify|dump DIR", out)


class SpoolDump(unittest.TestCase):
    def test_dump_lines(self):
        with clihelp.TempDir() as d:
            events = [(1, b'{"a":1}'), (2, b'{"b":"tab\there"}'), (7, b"")]
            spoolfmt.write_segment(d, 1, events)
            spoolfmt.write_segment(d, 8, [(8, spoolfmt.event(8))])
            rc, out, err = clihelp.run(["spool", "dump", clihelp.host_path(d)])
            self.assertEqual(rc, 0, err)
            # No ledger: nothing is known to be acknowledged.
            self.assertEqual(out.splitlines(), [
                '1\tpending\t{"a":1}', '2\tpending\t{"b":"tab\\x09here"}', "7\tpending\t",
                '8\tpending\t{"n":8,"msg":"event 8"}'])

    def test_dump_marks_what_the_sinks_acknowledged(self):
        with clihelp.TempDir() as d:
            make_spool(d, n=6, ledger=(("siem", 4), ("archive", 2)))
            rc, out, err = clihelp.run(["spool", "dump", clihelp.host_path(d)])
            self.assertEqual(rc, 0, err)
            states = [line.split("\t")[1] for line in out.splitlines()]
            self.assertEqual(states, ["acked", "acked", "acked-by:siem", "acked-by:siem",
                                      "pending", "pending"])


if __name__ == "__main__":
    unittest.main()
