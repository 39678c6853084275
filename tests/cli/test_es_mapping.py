"""JSON that Elasticsearch indexes (issue 14, item 3): every shared trace and
the stats events, in both formats, through Elasticsearch's dynamic-mapping
rules (tests/harness/es_mapping.py) with no conflict; and the fields every
event must carry (host, ECS's ecs/event metadata)."""
import json
import os
import sys
import unittest

import clihelp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

import es_mapping  # noqa: E402

# Each trace with the schema files a user would give it.
TRACES = [
    (("tx", "HTTP_Server.etl"), ["--manifest", ("tx", "HTTP_Server.man")]),
    (("perfview", "gcevents.etl"), ["--manifest", ("perfview", "ClrEtwAll.man")]),
    (("perfview", "gcrundownevents.etl"), ["--manifest", ("perfview", "ClrEtwAll.man")]),
    (("perfview", "net.4.5.2.x86.etl"), []),
    (("perfview", "primitive-types.etl"), []),
    (("perfview", "smallEtlFile.etl"), []),
    (("perfview", "SelfDescribingSingleEvent.etl"), []),
    (("etl-parser", "AMSITrace.etl"), []),
    (("etl-parser", "lxcore_kernel.etl"), []),
]


def etl(parts):
    return clihelp.host_path(clihelp.shared("testdata", "etl", *parts))


def replay_docs(fmt):
    """(where, document) of every event of every shared trace, in format fmt."""
    docs = []
    for trace, extra in TRACES:
        args = ["replay", etl(trace), "--format", fmt]
        args += [etl(a) if isinstance(a, tuple) else a for a in extra]
        rc, out, err = clihelp.run(args, timeout=900)
        if rc != 0:
            raise AssertionError("%s: %s" % (trace, err[-1000:]))
        for n, line in enumerate(out.splitlines(), 1):
            docs.append(("%s:%d" % (trace[-1], n), json.loads(line)))
    return docs


def stats_docs(fmt):
    """The stats events a run writes (one per interval and one at the stop)."""
    with clihelp.TempDir() as d:
        out = os.path.join(d, "out.ndjson")
        conf = os.path.join(d, "etwfwd.ini")
        with open(conf, "w") as f:
            f.write("[service]\nstate_dir = %s\nformat = %s\nstats_interval = 1h\n"
                    "[session:first]\nkind = file\npath = %s\n"
                    "[session:second]\nkind = file\npath = %s\n"
                    "[sink:out]\ntype = file\npath = %s\n"
                    % (clihelp.host_path(os.path.join(d, "state")), fmt,
                       etl(("tx", "HTTP_Server.etl")), etl(("perfview", "smallEtlFile.etl")),
                       clihelp.host_path(out)))
        rc, _, err = clihelp.run(["run", "-c", clihelp.host_path(conf)], timeout=600)
        if rc != 0:
            raise AssertionError(err[-1000:])
        with open(out, encoding="utf-8") as f:
            docs = [json.loads(l) for l in f if l.strip()]
    stats = [d for d in docs if "etwfwd" in d]
    return stats, [d for d in docs if "etwfwd" not in d]


class Checker(unittest.TestCase):
    """The checker itself finds what Elasticsearch refuses."""

    def conflicts(self, *docs):
        ix = es_mapping.Index()
        for n, d in enumerate(docs):
            ix.add(d, str(n))
        return ix.check_limit()

    def test_finds_each_kind_of_conflict(self):
        self.assertEqual(self.conflicts({"a": 1}, {"a": 2.5}, {"a": "3"}), [])
        self.assertEqual(len(self.conflicts({"a": 1}, {"a": "x"})), 1)
        self.assertEqual(len(self.conflicts({"a": {"b": 1}}, {"a": 1})), 1)
        self.assertEqual(len(self.conflicts({"a": 1}, {"a": {"b": 1}})), 1)
        self.assertEqual(len(self.conflicts({"t": "2011-01-23T22:06:37Z"}, {"t": "no"})), 1)
        self.assertEqual(len(self.conflicts({"n": 1}, {"n": 2 ** 64 - 1})), 1)
        self.assertEqual(len(self.conflicts({"a.b": 1}, {"a": "x"})), 1)
        self.assertEqual(self.conflicts({"s": "x"}, {"s": 1}, {"s": True}), [])
        many = {"f%d" % i: 1 for i in range(1001)}
        self.assertEqual(len(self.conflicts(many)), 1)


class Streams(unittest.TestCase):
    """Every shared trace and the stats events, per format: one index each."""

    def check(self, fmt):
        ix = es_mapping.Index(fmt)
        events = replay_docs(fmt)
        stats, run_events = stats_docs(fmt)
        self.assertEqual(len(stats), 1)
        for where, doc in events:
            ix.add(doc, where)
        for n, doc in enumerate(stats + run_events):
            ix.add(doc, "run:%d" % n)
        conflicts = ix.check_limit()
        self.assertEqual(conflicts[:20], [], "%d conflicts" % len(conflicts))
        return events, stats

    def test_native(self):
        events, stats = self.check("native")
        for where, doc in events:
            self.assertTrue(doc["System"].get("Computer"), where)
        s = stats[0]
        self.assertEqual(s["System"]["Level"], {"Value": 4, "Name": "Information"})
        self.assertEqual([x["name"] for x in s["etwfwd"]["sessions"]], ["first", "second"])

    def test_ecs(self):
        events, stats = self.check("ecs")
        for where, doc in events + [("stats", stats[0])]:
            self.assertEqual(doc["ecs"]["version"], "8.11.0", where)
            self.assertTrue(doc["host"]["name"], where)
            self.assertIn("@timestamp", doc, where)
            for key in ("created", "module", "dataset", "kind"):
                self.assertIn(key, doc["event"], where)
        for where, doc in events:
            w = doc["winlog"]
            self.assertEqual(doc["event"]["module"], "etw")
            self.assertEqual(doc["event"]["dataset"], "etw.replay")
            self.assertIsInstance(w["opcode"], str, where)
            self.assertIsInstance(w["task"], str, where)
            self.assertIsInstance(w["opcode_value"], int, where)
            self.assertIsInstance(w["task_value"], int, where)
            self.assertRegex(w["keywords_value"], r"^0x[0-9A-F]+$", where)
            self.assertIsInstance(w["processor_id"], int, where)
        self.assertEqual(stats[0]["event"]["kind"], "metric")
        self.assertEqual(stats[0]["event"]["dataset"], "etwfwd.stats")


if __name__ == "__main__":
    unittest.main()
