"""`etwfwd replay` on traces whose EventSource providers send their manifest
in-band (ManifestData events, id 0xFFFE): a trace written here byte by byte,
and PerfView's net.4.5.2.x86.etl.

The synthesized file follows the layout of tests/etlwriter (docs/etl-format.md):
a first buffer with the log file header record, then 64-bit EVENT_HEADER
records in per-CPU buffers of 8 KiB, uncompressed.
"""
import json
import re
import struct
import unittest
import uuid

import clihelp

BUF = 0x2000
HDR = 0x48
START_TIME = 132539328000000000  # 2021-01-01, FILETIME
PROVIDER = uuid.UUID("5e5d6b7a-1c2b-4d3e-8f90-a1b2c3d4e5f6")
OTHER = uuid.UUID("0b0b0b0b-1111-2222-3333-444455556666")

MANIFEST = """<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
 <instrumentation xmlns:win="http://manifests.microsoft.com/win/2004/08/windows/events">
  <events xmlns="http://schemas.microsoft.com/win/2004/08/events">
<provider name="Demo-App" guid="{%s}" resourceFileName="Demo-App" messageFileName="Demo-App" symbol="Demo">
 <tasks><task name="Request" message="$(string.task_Request)" value="1"/></tasks>
 <keywords><keyword name="Session0" message="$(string.kw)" mask="0x800000000000"/></keywords>
 <events>
  <event value="1" version="0" level="win:Informational" message="$(string.event_RequestStart)"
         opcode="win:Start" task="Request" template="RequestStartArgs"/>
 </events>
 <templates>
  <template tid="RequestStartArgs">
   <data name="url" inType="win:UnicodeString"/>
   <data name="size" inType="win:Int32"/>
  </template>
 </templates>
</provider>
</events>
</instrumentation>
<localization><resources culture="en-US"><stringTable>
 <string id="task_Request" value="Request"/>
 <string id="kw" value="Session0"/>
 <string id="event_RequestStart" value="Request %%1 of %%2 bytes"/>
</stringTable></resources></localization>
</instrumentationManifest>
""" % PROVIDER


def buffer_header(size, saved, cpu, seq, flags, btype):
    h = bytearray(HDR)
    struct.pack_into("<II", h, 0, size, saved)
    struct.pack_into("<I", h, 8, saved)
    struct.pack_into("<Q", h, 0x18, seq)
    h[0x28] = cpu
    struct.pack_into("<HI", h, 0x2A, 7, 3)
    struct.pack_into("<IHH", h, 0x30, saved, flags, btype)
    return bytes(h)


def header_buffer(cpus):
    p = bytearray(0x200)
    struct.pack_into("<I", p, 0, BUF)
    p[4] = 10
    struct.pack_into("<II", p, 8, 19041, cpus)
    struct.pack_into("<Q", p, 0x10, START_TIME + 10000000)
    struct.pack_into("<III", p, 0x2C, 8, 0, 3000)
    off = (0x38 + 2 * 8 + 172 + 7) & ~7
    struct.pack_into("<qQI", p, off + 8, 10000000, START_TIME, 1)
    names = "test\0".encode("utf-16-le") + "t.etl\0".encode("utf-16-le")
    payload = bytes(p[:off + 32]) + names
    # SYSTEM_TRACE_HEADER, 64-bit (type 2): the log file header event.
    rec = (struct.pack("<HBBHHIIQ", 2, 2, 0xC0, 0x20 + len(payload), 0, 0, 0, 1000) +
           b"\0" * 8 + payload)  # kernel and user time
    rec += b"\0" * (-len(rec) % 8)
    buf = bytearray(b"\xff" * BUF)
    buf[:HDR] = buffer_header(BUF, HDR + len(rec), 0, 0, 1, 4)
    buf[HDR:HDR + len(rec)] = rec
    return bytes(buf)


def event(provider, eid, ts, data, version=0, level=4, opcode=0, task=0, keywords=0):
    """A 64-bit EVENT_HEADER record (type 19)."""
    size = 0x50 + len(data)
    return (struct.pack("<HBBHHIIq", size, 19, 0xC0, 0, 0, 11, 10, ts) + provider.bytes_le +
            struct.pack("<HBBBBHQ", eid, version, 0, level, opcode, task, keywords) +
            b"\0" * 8 + b"\0" * 16 + data)


def request(ts, size):
    return event(PROVIDER, 1, ts, "http://x/\0".encode("utf-16-le") + struct.pack("<i", size),
                 opcode=1, task=1, keywords=0x800000000000)


def chunk(ts, total, number, data, magic=0x5B):
    payload = struct.pack("<BBBBHH", 1, 1, 0, magic, total, number) + data
    return event(PROVIDER, 0xFFFE, ts, payload, version=1, level=0, opcode=0xFE, task=0xFFFE,
                 keywords=0x00FFFFFFFFFFFFFF)


def write_etl(path, records):
    """One CPU; records in time order, 8-byte aligned, buffers flushed when full."""
    out = [header_buffer(1)]
    fill, seq = bytearray(), 1

    def flush():
        nonlocal fill, seq
        if fill:
            body = bytes(fill) + b"\xff" * (BUF - HDR - len(fill))
            out.append(buffer_header(BUF, HDR + len(fill), 0, seq, 0, 0) + body)
            fill, seq = bytearray(), seq + 1

    for rec in records:
        rec += b"\0" * (-len(rec) % 8)
        if len(fill) + len(rec) > BUF - HDR:
            flush()
        fill += rec
    flush()
    with open(path, "wb") as f:
        f.write(b"".join(out))


def replay(test, path, *args):
    # Typed values: the tests compare numbers.
    rc, out, err = clihelp.run(["replay", clihelp.host_path(path), "--typed"] + list(args))
    test.assertEqual(rc, 0, err[-2000:])
    return [json.loads(line) for line in out.splitlines() if line.strip()], err


class SynthesizedTrace(unittest.TestCase):
    def build(self, d):
        xml = MANIFEST.encode("utf-8")
        per = (len(xml) + 2) // 3
        parts = [xml[i * per:(i + 1) * per] for i in range(3)]
        ts = 2000
        recs = [request(ts, 1)]                               # before any manifest
        recs.append(chunk(ts + 1, 3, 0, parts[0]))
        recs.append(chunk(ts + 2, 3, 1, parts[1], magic=0))  # damaged: this send is lost
        recs.append(chunk(ts + 3, 3, 2, parts[2]))
        recs.append(request(ts + 4, 2))
        for i in range(3):                                    # a good send, events between
            recs.append(chunk(ts + 10 + 2 * i, 3, i, parts[i]))
            recs.append(event(OTHER, 5, ts + 11 + 2 * i, b"\x01\x02"))
        recs.append(request(ts + 20, 42))
        recs.append(chunk(ts + 21, 1, 0, xml))               # the same manifest again
        recs.append(request(ts + 22, 43))
        path = d + "/es.etl"
        write_etl(path, recs)
        return path

    def test_decodes_through_inband_manifest(self):
        with clihelp.TempDir() as d:
            events, err = replay(self, self.build(d))
        guids = ["{%s}" % str(g).upper() for g in (PROVIDER, OTHER)]
        events = [e for e in events if e["System"]["Provider"]["Guid"] in guids]
        self.assertEqual(len(events), 14)  # the log file header event aside
        reqs = [e for e in events if e["System"]["EventID"] == 1]
        self.assertEqual(len(reqs), 4)
        # Before the manifest is complete: no schema, the payload as hex.
        for e in reqs[:2]:
            self.assertNotIn("EventData", e)
            self.assertIn("Payload", e)
        for e, size in zip(reqs[2:], (42, 43)):
            self.assertEqual(e["EventData"], {"url": "http://x/", "size": size})
            self.assertEqual(e["System"]["Provider"]["Name"], "Demo-App")
            self.assertEqual(e["System"]["Task"]["Name"], "Request")
            self.assertEqual(e["System"]["Opcode"]["Name"], "Start")
            self.assertEqual(e["Message"], "Request http://x/ of %d bytes" % size)
        md = [e for e in events if e["System"]["EventID"] == 0xFFFE]
        self.assertEqual(len(md), 7)
        for e in md:
            self.assertEqual(e["System"]["EventName"], "ManifestData")
            self.assertEqual(e["EventData"]["Format"], 1)
            self.assertIn("Data", e["EventData"])
        self.assertEqual([e["EventData"]["Magic"] for e in md], [91, 0] + [91] * 5)
        self.assertEqual([e["EventData"]["ChunkNumber"] for e in md], [0, 1, 2, 0, 1, 2, 0])
        self.assertTrue(md[3]["EventData"]["Data"].startswith("<instrumentationManifest"))
        m = re.search(r"provider \{%s\} Demo-App: (\d+) events, (\d+) decoded, (\d+) no schema"
                      % str(PROVIDER).upper(), err)
        self.assertIsNotNone(m, err)
        self.assertEqual(tuple(int(x) for x in m.groups()), (11, 9, 2))

    def test_user_manifest_wins(self):
        """A --manifest for the same provider is asked first."""
        with clihelp.TempDir() as d:
            path = self.build(d)
            man = d + "/user.man"
            with open(man, "w") as f:
                f.write(MANIFEST.replace('name="size"', 'name="bytes"'))
            events, err = replay(self, path, "--manifest", clihelp.host_path(man))
        reqs = [e for e in events if e["System"]["EventID"] == 1]
        self.assertEqual([e["EventData"]["bytes"] for e in reqs], [1, 2, 42, 43])


class PerfViewTrace(unittest.TestCase):
    """net.4.5.2.x86.etl: three EventSource providers send their manifests in-band."""

    def test_eventsource_providers_decode(self):
        path = clihelp.shared("testdata", "etl", "perfview", "net.4.5.2.x86.etl")
        events, err = replay(self, path)
        for name, count in (("PerfView", 108), ("System.Threading.Tasks.TplEventSource", 8),
                            ("System.Diagnostics.Eventing.FrameworkEventSource", 7)):
            m = re.search(r"provider \{[0-9A-F-]+\} %s: (\d+) events, (\d+) decoded, "
                          r"(\d+) no schema, (\d+) errors" % re.escape(name), err)
            self.assertIsNotNone(m, err[-3000:])
            self.assertEqual(tuple(int(x) for x in m.groups()), (count, count, 0, 0), name)
        tpl = [e for e in events
               if e["System"]["Provider"].get("Name") == "System.Threading.Tasks.TplEventSource"
               and e["System"]["EventID"] == 7]
        # The baseline's first TaskScheduled/Send.
        self.assertEqual(tpl[0]["EventData"], {
            "OriginatingTaskSchedulerID": 1, "OriginatingTaskID": 1, "TaskID": 2,
            "CreatingTaskID": 0, "TaskCreationOptions": 8192})
        md = [e for e in events if e["System"]["EventID"] == 0xFFFE]
        self.assertEqual(len(md), 4)
        for e in md:
            self.assertEqual({k: e["EventData"][k] for k in ("Format", "MajorVersion",
                              "MinorVersion", "Magic", "TotalChunks", "ChunkNumber")},
                             {"Format": 1, "MajorVersion": 1, "MinorVersion": 0, "Magic": 91,
                              "TotalChunks": 1, "ChunkNumber": 0})


if __name__ == "__main__":
    unittest.main()
