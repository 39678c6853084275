"""etwfwd inspect: the header, events per provider and id, read errors."""
import json
import os
import unittest

import clihelp

HTTP = "{DD5EF90A-6398-47A4-AD34-4DCECDEF795F}"
CLR = "{E13C0D23-CCBC-4E12-931B-D9CC2EEE27E4}"
KTC = "{B3E675D7-2554-4F18-830B-2762732560DE}"

FILES = [
    ("tx", "HTTP_Server.etl"),
    ("perfview", "primitive-types.etl"),
    ("perfview", "gcevents.etl"),
    ("perfview", "gcrundownevents.etl"),
    ("perfview", "SelfDescribingSingleEvent.etl"),
    ("perfview", "smallEtlFile.etl"),
    ("perfview", "net.4.5.2.x86.etl"),
    ("etl-parser", "AMSITrace.etl"),
    ("etl-parser", "lxcore_kernel.etl"),
]


def inspect_json(*parts):
    rc, out, err = clihelp.run(
        ["inspect", clihelp.host_path(clihelp.shared("testdata", "etl", *parts)), "--json"])
    return rc, json.loads(out) if out.strip() else None, err


def provider(doc, guid, kind=None):
    for p in doc["providers"]:
        if p["guid"] == guid and (kind is None or p["kind"] == kind):
            return p
    raise AssertionError("no provider %s in %s" % (guid, [p["guid"] for p in doc["providers"]]))


class Inspect(unittest.TestCase):
    def test_every_file_reads_without_errors(self):
        for parts in FILES:
            with self.subTest(file=parts[1]):
                rc, doc, err = inspect_json(*parts)
                self.assertEqual(rc, 0, err)
                self.assertEqual(doc["errors"], 0)
                self.assertEqual(sorted(doc), ["errors", "events", "header", "providers"])
                self.assertEqual(doc["events"], sum(p["events"] for p in doc["providers"]))
                for p in doc["providers"]:
                    self.assertRegex(p["guid"], r"^\{[0-9A-F-]{36}\}$")
                    self.assertIn(p["kind"], ("manifest", "tracelogging", "classic", "kernel",
                                              "wpp"))
                    self.assertEqual(p["events"], sum(p["ids"].values()))

    def test_http_server_counts_match_tx(self):
        rc, doc, err = inspect_json("tx", "HTTP_Server.etl")
        self.assertEqual(rc, 0, err)
        http = provider(doc, HTTP, "manifest")
        self.assertEqual(http["events"], 2041)  # Tx: 2041 events
        self.assertEqual(http["ids"]["2"], 291)  # Parse
        self.assertEqual(http["ids"]["3"], 291)  # Deliver
        self.assertEqual(http["ids"]["8"], 289)  # FastResp
        h = doc["header"]
        self.assertEqual((h["os_version"], h["build"], h["pointer_size"], h["cpus"]),
                         ("6.1", 7601, 8, 4))
        self.assertEqual((h["clock"], h["compressed"], h["buffer_size"]), ("qpc", False, 8192))
        self.assertEqual(h["start"], "2011-01-23T22:06:37.4768585Z")
        self.assertEqual((h["events_lost"], h["buffers_lost"]), (0, 0))

    def test_gcevents_counts_match_baseline(self):
#gcevents.baseline.txt COUNT lines, ids from ClrEtwAll.man.
        want = {"10": 12, "5": 7, "29": 6, "14": 3, "13": 3, "209": 1, "205": 2, "4": 2,
                "208": 1, "202": 13, "204": 2, "33": 2, "7": 2, "3": 2, "1": 2, "2": 2,
                "9": 2, "8": 2, "35": 2, "187": 1}
        rc, doc, err = inspect_json("perfview", "gcevents.etl")
        self.assertEqual(rc, 0, err)
        self.assertEqual(provider(doc, CLR, "manifest")["ids"], want)

    def test_net_kernel_trace_control_counts_match_baseline(self):
        rc, doc, err = inspect_json("perfview", "net.4.5.2.x86.etl")
        self.assertEqual(rc, 0, err)
        ktc = provider(doc, KTC, "classic")
        self.assertEqual(ktc["ids"]["0/2"], 3728)  # COUNT KernelTraceControl/ImageID:3728
        self.assertEqual(ktc["ids"]["36/2"], 3680)  # COUNT .../ImageID/DbgID_RSDS:3680
        self.assertTrue(doc["header"]["compressed"])
        self.assertEqual(doc["events"], 168298)

    def test_tracelogging_kind_and_amsi_events_lost(self):
        rc, doc, err = inspect_json("etl-parser", "AMSITrace.etl")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["header"]["events_lost"], 3)
        self.assertIn("tracelogging", [p["kind"] for p in doc["providers"]])

    def test_text_form(self):
        rc, out, err = clihelp.run(
            ["inspect", clihelp.host_path(clihelp.shared("testdata", "etl", "perfview",
                                                         "smallEtlFile.etl"))])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^os: +10\.0 build 10586$")
        self.assertRegex(out, r"(?m)^pointer size: +4$")
        self.assertRegex(out, r"(?m)^compressed: +yes$")
        self.assertRegex(out, r"(?m)^errors: +0$")

    def test_damaged_file_reports_errors(self):
        src = clihelp.shared("testdata", "etl", "tx", "HTTP_Server.etl")
        with open(src, "rb") as f:
            data = bytearray(f.read())
        data[0x4000:0x6000] = bytes(0x2000)  # zero-fill buffer 2
        with clihelp.TempDir() as d:
            path = os.path.join(d, "damaged.etl")
            with open(path, "wb") as f:
                f.write(data[:-0x1000])  # and cut the last buffer in half
            rc, out, err = clihelp.run(["inspect", clihelp.host_path(path), "--json"])
        self.assertEqual(rc, 1, err)
        doc = json.loads(out)
        self.assertEqual(doc["errors"], 2)
        self.assertIn("offset 0x4000, buffer 2: invalid buffer header", err)
        self.assertIn("offset 0x46000, buffer 35: buffer truncated", err)
        self.assertGreater(provider(doc, HTTP)["events"], 1900)

    def test_not_an_etl_file(self):
        with clihelp.TempDir() as d:
            path = os.path.join(d, "x.etl")
            with open(path, "wb") as f:
                f.write(b"hello" * 100)
            rc, out, err = clihelp.run(["inspect", clihelp.host_path(path)])
        self.assertEqual(rc, 2)
        self.assertIn("not an .etl file", err)

    def test_usage(self):
        self.assertEqual(clihelp.run(["inspect"])[0], 2)
        self.assertEqual(clihelp.run(["inspect", "a.etl", "--bogus"])[0], 2)


if __name__ == "__main__":
    unittest.main()
