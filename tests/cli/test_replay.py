"""`etwfwd replay`: the issue 5 acceptance tests on the real traces in
shared/testdata/etl, checked against PerfView's baselines and Tx's facts.

PerfView's baselines come from its own compiled parsers, which know events,
map entries and computed fields that the schemas we are given do not have.
Every such difference is listed below by name with its reason, so that any
other difference fails.
"""
import collections
import json
import re
import struct
import unittest

import baseline
import clihelp

MOF = ("schemas", "kerneltraceeventparser.mof")


def data(*parts):
    return clihelp.host_path(clihelp.shared("testdata", *parts))


def etl(*parts):
    return data("etl", *parts)


def replay(test, *args):
    # Typed values: these tests compare numbers and value maps with the baselines.
    rc, out, err = clihelp.run(["replay"] + list(args) + ["--typed"], timeout=600)
    test.assertEqual(rc, 0, err[-2000:])
    return baseline.replay_events(out), err


def summary(err):
    m = re.search(r"replay: (\d+) events, (\d+) decoded, (\d+) no schema, (\d+) decode errors", err)
    return tuple(int(x) for x in m.groups())


def by_provider(events, name):
    return [e for e in events if e["System"]["Provider"].get("Name") == name]


class Usage(unittest.TestCase):
    def test_help(self):
        rc, out, err = clihelp.run(["replay", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("usage: etwfwd replay FILE.etl", out)

    def test_bad_usage(self):
        for args in ([], ["x.etl", "--format", "xml"], ["x.etl", "--bogus"]):
            rc, out, err = clihelp.run(["replay"] + args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, "")

    def test_missing_file(self):
        with clihelp.TempDir() as d:
            rc, out, err = clihelp.run(["replay", clihelp.host_path(d + "/none.etl")])
            self.assertEqual(rc, 1)
            self.assertIn("none.etl", err)

    def test_not_an_etl(self):
        # Bad input, as for inspect: exit 2 with the reason (test_trace_errors.py).
        rc, out, err = clihelp.run(["replay", data("etl", "README.md")])
        self.assertEqual(rc, 2, err)
        self.assertIn("README.md: not an .etl file (no log file header)", err)

    def test_bad_manifest_is_usage(self):
        with clihelp.TempDir() as d:
            path = d + "/bad.man"
            with open(path, "w") as f:
                f.write("<instrumentationManifest><broken")
            rc, out, err = clihelp.run(["replay", etl("tx", "HTTP_Server.etl"), "--manifest",
                                        clihelp.host_path(path)])
            self.assertEqual(rc, 2, err)


class PrimitiveTypes(unittest.TestCase):
    # README quirks: PerfView prints int64_type (declared UINT64 in the
    # metadata) as signed, and char_type (UINT8 shown as a character) as a
    # number; both are decoded as the metadata says. SYSTEMTIME: PerfView
    # prints ".03" for every event's fraction although the struct's
    # wMilliseconds holds the same milliseconds as the FILETIME beside it
    # (checked in the payload below), so SYSTEMTIME is compared to the second.
    def test_every_field(self):
        events, err = replay(self, etl("perfview", "primitive-types.etl"))
        base, counts = baseline.parse(clihelp.shared("testdata", "etl", "perfview",
                                                     "primitive-types.baseline.txt"))
        mine = [e for e in events if e["System"].get("EventName") == "PrimitiveTypesTest"]
        base = [f for n, f in base if n == "solar_system/PrimitiveTypesTest"]
        self.assertEqual(len(mine), 5)
        self.assertEqual(counts["solar_system/PrimitiveTypesTest"], 5)
        for ev, fields in zip(mine, base):
            self.assertNotIn("Flags", ev)
            d = ev["EventData"]
            for name, val in fields.items():
                if name in baseline.HEADER_FIELDS:
                    continue
                ours = d[name]
                if name == "int64_type":
                    self.assertEqual(ours, int(val) + (1 << 64))
                elif name == "char_type":
                    self.assertEqual(ord(ours), int(val))
                elif name == "system_time_type":
                    self.assertTrue(baseline.compare_value(val[:17], ours[:19] + "Z"), (val, ours))
                    self.assertEqual(ours[:23], d["file_time_type"][:23])
                else:
                    self.assertTrue(baseline.compare_value(val, ours), (name, val, ours))
            self.assertEqual(ev["System"]["Execution"]["ProcessID"], int(fields["PID"]))
            self.assertEqual(ev["System"]["Execution"]["ThreadID"], int(fields["TID"]))
            self.assertEqual(ev["System"]["Execution"]["ProcessorID"], int(fields["ProceNum"]))


def raw_parse_payloads():
    """(RequestObj, HttpVerb, Url) of every HttpService event 2 in HTTP_Server.etl,
    found by scanning the file for EVENT_HEADER64 records of the provider
    (evntcons.h layout: Size u16, HeaderType 19, marker 0xC0, Flags u16 at 4,
    ProviderId at 0x18, Id at 0x28, user data after the 0x50-byte header and
    any extended items, which chain while Linkage bit 0 is set). Url is not
    NUL-terminated in this file: it runs to the end of the record."""
    with open(clihelp.shared("testdata", "etl", "tx", "HTTP_Server.etl"), "rb") as f:
        d = f.read()
    guid = bytes.fromhex("0af95edd9863a447ad344dcecdef795f")  # {dd5ef90a-...} as stored
    out = []
    i = d.find(guid)
    while i != -1:
        s = i - 0x18
        if s >= 0 and d[s + 2] == 19 and d[s + 3] == 0xC0 and \
                struct.unpack_from("<H", d, s + 0x28)[0] == 2:
            size, = struct.unpack_from("<H", d, s)
            flags, = struct.unpack_from("<H", d, s + 4)
            q = 0x50
            while flags & 1:
                total, _, linkage, _ = struct.unpack_from("<HHHH", d, s + q)
                q += total
                if not linkage & 1:
                    break
            ptr, verb = struct.unpack_from("<QI", d, s + q)
            url = d[s + q + 12:s + size].decode("utf-16-le").split("\0")[0]
            out.append((ptr, verb, url))
        i = d.find(guid, i + 1)
    return out


class HttpServer(unittest.TestCase):
    def test_counts_and_message(self):
        events, err = replay(self, etl("tx", "HTTP_Server.etl"), "--manifest",
                             etl("tx", "HTTP_Server.man"))
        http = by_provider(events, "Microsoft-Windows-HttpService")
        self.assertEqual(len(http), 2041)
        self.assertEqual([e for e in http if "Flags" in e], [])
        ids = collections.Counter(e["System"]["EventID"] for e in http)
        self.assertEqual((ids[2], ids[3], ids[8]), (291, 291, 289))
        self.assertIn("2041 events, 2041 decoded, 0 no schema, 0 errors", err)
        first = http[0]["System"]
        self.assertEqual((first["EventID"], first["Opcode"]["Value"], first["Task"]["Value"]),
                         (21, 28, 4))
        self.assertEqual(first["Keywords"]["Value"], "0x8000000000000010")
        self.assertEqual(first["Correlation"]["ActivityID"],
                         "{00000100-0000-0003-193D-42FB30BBCB01}")
        # Every Parse message against the payloads read straight from the file's
        # bytes here (not from our decoding): the message text of the manifest's
        # string192 with %1 = RequestObj (win:HexInt64, "0x" and upper-case hex
        # as TDH prints it), %2 = HttpVerb, %3 = Url.
        want = collections.Counter(
            "Parsed request (request pointer 0x%X, method %d) with URI %s." % p
            for p in raw_parse_payloads())
        self.assertEqual(sum(want.values()), 291)
        self.assertIn("Parsed request (request pointer 0xFFFFFA80037C4530, method 4) with URI "
                      "http://georgis2:80/windir.txt.", want)
        got = collections.Counter(e["Message"] for e in http if e["System"]["EventID"] == 2)
        self.assertEqual(got, want)

    def test_ecs_format(self):
        events, err = replay(self, etl("tx", "HTTP_Server.etl"), "--manifest",
                             etl("tx", "HTTP_Server.man"), "--format", "ecs")
        http = [e for e in events
                if e["winlog"].get("provider_name") == "Microsoft-Windows-HttpService"]
        self.assertEqual(len(http), 2041)
        self.assertEqual(sum(1 for e in http if e["winlog"]["event_id"] == "2"), 291)


class TraceLogging(unittest.TestCase):
    def test_self_describing_struct(self):
        events, err = replay(self, etl("perfview", "SelfDescribingSingleEvent.etl"))
        mine = by_provider(events, "MySource")
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["System"]["EventName"], "TestEvent")
        self.assertIn({"b": "Hello", "c": "World!"}, list(mine[0]["EventData"].values()))

    def test_zero_errors(self):
        for path, provider, n in ((("etl-parser", "AMSITrace.etl"), "AmsiTrace", 19),
                                  (("etl-parser", "lxcore_kernel.etl"),
                                   "Microsoft.Windows.Subsystem.LxCore", 2)):
            events, err = replay(self, etl(*path))
            mine = by_provider(events, provider)
            self.assertEqual(len(mine), n, path)
            self.assertEqual([e for e in mine if "Flags" in e], [], path)
            self.assertEqual(summary(err)[3], 0, err)


# Values PerfView prints from its own parser that ClrEtwAll.man does not have.
CLR_KNOWN = {
    ("Microsoft-Windows-DotNETRuntime/Runtime/Start", "StartupMode"): "0 printed as None",
    ("Microsoft-Windows-DotNETRuntimeRundown/Runtime/Start", "StartupMode"): "0 printed as None",
    ("Microsoft-Windows-DotNETRuntime/GC/CreateSegment", "Type"): "no PinnedObjectHeap entry",
    ("Microsoft-Windows-DotNETRuntimeRundown/Loader/ModuleDCStop", "ModuleFlags"):
        "no ReadyToRun bit",
    ("Microsoft-Windows-DotNETRuntimeRundown/Loader/DomainModuleDCStop", "ModuleFlags"):
        "no ReadyToRun bit",
    ("Microsoft-Windows-DotNETRuntimeRundown/Loader/AssemblyDCStop", "AssemblyFlags"):
        "no ReadyToRun bit, 0 printed as None",
}
# Fields PerfView computes (TypeID resolved to a name; IL file name of a module).
CLR_COMPUTED = ("TypeName", "ModuleILFileName")


class DotNetRuntime(unittest.TestCase):
    def check(self, name, provider):
        events, err = replay(self, etl("perfview", name + ".etl"), "--manifest",
                             etl("perfview", "ClrEtwAll.man"))
        base, counts = baseline.parse(clihelp.shared("testdata", "etl", "perfview",
                                                     name + ".baseline.txt"))
        mine = [(e, baseline.perfview_name(e)) for e in by_provider(events, provider)]
        raw = [e for e in events if e["System"]["Provider"]["Guid"] == mine[0][0]["System"][
            "Provider"]["Guid"] and "no_schema" in e.get("Flags", [])]
        got = collections.Counter(n for e, n in mine)
        # Every name the manifest knows has the baseline's count; the names it
        # lacks (newer runtime events) come out raw, and their counts add up.
        missing = 0
        for n, c in counts.items():
            if not n.startswith(provider + "/"):
                continue
            if n in got:
                self.assertEqual(got[n], c, n)
            else:
                missing += c
        self.assertGreater(len(got), 5)
        self.assertEqual(len(raw), missing)
        for e in raw:
            self.assertRegex(e["Payload"], r"^([0-9A-F]{2})*$")
        compared, problems = baseline.check_events(
            base, mine, set(got), skip_fields=CLR_COMPUTED, known=CLR_KNOWN)
        self.assertEqual(problems, [])
        self.assertGreater(compared, 100)
        self.assertEqual(summary(err)[3], 0, err)

    def test_gcevents(self):
        self.check("gcevents", "Microsoft-Windows-DotNETRuntime")

    def test_gcrundownevents(self):
        self.check("gcrundownevents", "Microsoft-Windows-DotNETRuntimeRundown")


# PerfView's spelling of kernel names: MOF class group -> task, MOF event type -> opcode.
KERNEL_PROVIDER = {"MSNT_SystemTrace": "Windows Kernel"}
KERNEL_TASK = {"DiskIo": "DiskIO", "PageFault": "Memory"}
KERNEL_OPCODE = {
    ("Image", "DCEnd"): "DCStop", ("Image", "UnLoad"): "Unload", ("Process", "DCEnd"): "DCStop",
    ("Process", "End"): "Stop", ("Thread", "DCEnd"): "DCStop", ("Thread", "End"): "Stop",
    ("PerfInfo", "SampleProf"): "Sample", ("EventTrace", "Header"): None,
    ("EventTrace", "RDComplete"): "RundownComplete",
    ("TcpIp", "SendIPV4"): "Send", ("TcpIp", "RecvIPV4"): "Recv",
    ("TcpIp", "DisconnectIPV4"): "Disconnect", ("TcpIp", "AcceptIPV4"): "Accept",
    ("UdpIp", "SendIPV4"): "Send", ("UdpIp", "RecvIPV4"): "Recv",
}
# Kernel counts that differ, and why.
KERNEL_COUNT_KNOWN = {
    "Windows Kernel/PerfInfo/Sample":
        "PerfView's TraceLog (ETLX conversion) removes the samples of the idle thread "
        "(ThreadId 0) that were not taken in a DPC or ISR (bits 16-17 of the Count field "
        "clear); etwfwd forwards all 88809 records (test_perfinfo_sample_count)",
    "Windows Kernel/SysConfig/Opcode(37)":
        "one record of 16 zero bytes; neither PerfView nor a public source names this type "
        "or its fields, so there is no built-in class and it goes out raw",
}
# PerfView computes these (times from counters, names from file keys, DOS
# paths, header fields it reads its own way), or infers PID/TID from thread
# state where the kernel wrote -1.
KERNEL_COMPUTED = ("ElapsedTimeMSec", "DiskServiceTimeMSec", "FileName", "FileKey", "Priority",
                   "BuildTime", "IrpFlags", "SampleSource", "ExecutingDPC", "ExecutingISR",
                   "Count", "InstructionPointer", "SessionName", "UtcOffsetMinutes", "EndTime",
                   "BootTime", "StartTime", "LogFileName", "Flags", "PID", "TID",
                   "ProceNum")
# PerfView's field names for ours where they differ: Process_V4_TypeGroup1's
# DirectoryTableBase, and SysConfig/UnknownVolume, which PerfView reads as a
# generic one-string event ("Value").
KERNEL_FIELD_ALIAS = {"PageDirectoryBase": "DirectoryTableBase", "Value": "NtPath"}
# Decode errors left in net.4.5.2.x86.etl, and why: none. The version 4
# Process events that the MOF file's version 2 layout could not describe are
# decoded by etwfwd's built-in Process_V4_TypeGroup1 (core/decode/mof_builtin.c).
KERNEL_DECODE_ERRORS = {}
# Kernel values that differ, and why.
KERNEL_VALUE_KNOWN = {
    ("Windows Kernel/SystemConfig/Services", "ProcessName"): "PerfView names it from the PID",
    ("Windows Kernel/SystemConfig/NIC", "PhysicalAddr"): "signed, cut to 20 characters",
}
class NetMerged(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rc, out, err = clihelp.run(["replay", etl("perfview", "net.4.5.2.x86.etl"), "--typed",
                                    "--mof", data(*MOF)], timeout=900)
        cls.rc, cls.err = rc, err
        cls.events = baseline.replay_events(out)
        cls.base, cls.counts = baseline.parse(clihelp.shared(
            "testdata", "etl", "perfview", "net.4.5.2.x86.baseline.txt"))

    def test_read(self):
        self.assertEqual(self.rc, 0, self.err[-2000:])
        self.assertEqual(summary(self.err)[0], len(self.events))

    def test_decode_errors(self):
        # StackWalk_Event lists Stack1..Stack32 and events carry fewer frames:
        # a MOF payload may end at a field boundary (docs/schemas.md). The only
        # version 4 Process events, which the MOF file's version 2
        # Process_TypeGroup1 cannot describe, decode with the built-in class:
        # no decode error is left (KERNEL_DECODE_ERRORS).
        errors = collections.Counter(
            baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK, KERNEL_OPCODE)
            for e in self.events if "DecodeError" in e)
        self.assertEqual(set(errors), set(KERNEL_DECODE_ERRORS))
        self.assertEqual(sum(errors.values()), summary(self.err)[3])
        pnp = 0
        for e in self.events:
            if e["System"].get("EventName") == "StackWalk_Event":
                self.assertNotIn("Flags", e)
                self.assertIn("Stack1", e["EventData"])
            # Version 4 PnP has its exact built-in class now: a clean event,
            # not the file's older layout as a marked fallback.
            if e["System"].get("Opcode", {}).get("Name") == "PnP":
                self.assertEqual(e["System"]["EventName"], "SystemConfig_V4_PnP")
                self.assertNotIn("Flags", e)
                pnp += 1
        self.assertEqual(pnp, self.counts["Windows Kernel/SystemConfig/PnP"])
        # No winmeta prefix reaches a System name, whichever source named it.
        for e in self.events:
            for part in ("Level", "Task", "Opcode"):
                self.assertFalse(e["System"].get(part, {}).get("Name", "").startswith("win:"), e)

    def test_kernel_file_create(self):
        mine = by_provider(self.events, "Microsoft-Windows-Kernel-File")
        self.assertEqual(len(mine), 968)
        self.assertEqual(self.counts["Microsoft-Windows-Kernel-File/Create"], 968)
        for e in mine:
            self.assertNotIn("Flags", e)
            self.assertEqual(e["System"]["Task"]["Name"], "Create")
            # The embedded schema's winmeta names come out as a manifest's would.
            self.assertEqual(e["System"]["Opcode"]["Name"], "Info")
            self.assertEqual(e["System"]["Level"]["Name"], "Information")
        base = [f for n, f in self.base if n == "Microsoft-Windows-Kernel-File/Create"]
        self.assertGreater(len(base), 0)
        for e, f in zip(mine, base):
            d = e["EventData"]
            opts = int(d["CreateOptions"], 16)
            self.assertTrue(baseline.compare_value(f["IrpPtr"], d["Irp"]))
            self.assertTrue(baseline.compare_value(f["FileObject"], d["FileObject"]))
            # etwfwd's well-known enrichment (core/decode/enrich.c) names these;
            # the raw CreateOptions and ShareAccess values stay in the event.
            self.assertEqual(d["CreateDisposition"], {"Value": opts >> 24,
                                                      "Name": f["CreateDisposition"]})
            if f["CreateOptions"][0].isdigit():
                self.assertEqual(opts & 0xFFFFFF, int(f["CreateOptions"].replace(",", "")))
            self.assertTrue(baseline.compare_value(f["FileAttributes"], d["CreateAttributes"]))
            self.assertEqual(d["ShareAccess"]["Name"], f["ShareAccess"])
            self.assertTrue(d["ShareAccess"]["Value"].startswith("0x"))
            # PerfView turns \Device\HarddiskVolume2 into C:.
            path = re.sub(r"^\\Device\\HarddiskVolume\d+", "C:", d["FileName"])
            self.assertTrue(baseline.compare_value(f["FileName"], path), (f, path))
        self.assertIn("OPEN_EXISTING", [f["CreateDisposition"] for f in base])
        self.assertIn("ReadWrite, Delete", [f["ShareAccess"] for f in base])

    def test_kernel_process(self):
        mine = by_provider(self.events, "Microsoft-Windows-Kernel-Process")
        names = [baseline.perfview_name(e) for e in mine]
        self.assertEqual(names, ["Microsoft-Windows-Kernel-Process/ProcessStart/Start",
                                 "Microsoft-Windows-Kernel-Process/ProcessStop/Stop"])
        pairs = list(zip(mine, names))
        compared, problems = baseline.check_events(self.base, pairs, set(names))
        self.assertEqual(problems, [])
        self.assertGreater(compared, 15)

    def test_kernel_mof(self):
        kernel = [e for e in self.events if e["System"]["Provider"].get("Name") ==
                  "MSNT_SystemTrace"]
        self.assertGreater(len(kernel), 100000)
        for e in kernel[:2000]:
            self.assertIn("EventName", e["System"])  # the MOF class
        pairs = [(e, baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK, KERNEL_OPCODE))
                 for e in kernel]
        got = collections.Counter(n for e, n in pairs)
        checked = 0
        for n, c in self.counts.items():
            if n.startswith("Windows Kernel/") and n not in KERNEL_COUNT_KNOWN:
                self.assertEqual(got.get(n), c, n)
                checked += 1
        self.assertGreater(checked, 40)
        names = set(n for n, f in self.base if n.startswith("Windows Kernel/")) - set(
            KERNEL_COUNT_KNOWN)
        compared, problems = baseline.check_events(self.base, pairs, names,
                                                   field_alias=KERNEL_FIELD_ALIAS,
                                                   skip_fields=KERNEL_COMPUTED,
                                                   known=KERNEL_VALUE_KNOWN, allow_missing=True)
        self.assertEqual(problems[:20], [])
        self.assertGreater(compared, 500)

    def builtin_events(self, prefix):
        return [e for e in self.events if e["System"].get("EventName", "").startswith(prefix)]

    def test_builtin_exact_payloads(self):
        # Every record decoded by a built-in class (core/decode/mof_builtin.c) is
        # clean (no fallback, no layout mismatch, no decode error), and where
        # PerfView prints the record, the bytes its fields take add up to
        # PerfView's DataLen: the payload is consumed exactly.
        want = {"Process_V4_TypeGroup1": 74, "SystemConfig_V4_PnP": 78,
                "SystemConfig_V2_Platform": 1, "SysConfig_V0_BuildInfo": 1,
                "SysConfig_V0_SystemPaths": 1, "SysConfig_V0_UnknownVolume": 1,
                "SysConfig_V0_VolumeMapping": 9}
        got = collections.Counter(e["System"]["EventName"] for e in self.events
                                  if e["System"].get("EventName") in want)
        self.assertEqual(dict(got), want)
        for e in self.events:
            if e["System"].get("EventName") in want:
                self.assertNotIn("Flags", e)
                self.assertNotIn("DecodeError", e)
        names = {baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK, KERNEL_OPCODE): n
                 for n in want for e in self.builtin_events(n)}
        seen = collections.Counter()
        checked = 0
        for name, fields in self.base:
            name = name.replace("MSNT_SystemTrace/SystemConfig/", "Windows Kernel/SystemConfig/")
            if name not in names:
                continue
            k = seen[name]
            seen[name] += 1
            ours = [e for e in self.builtin_events(names[name])
                    if baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK,
                                              KERNEL_OPCODE) == name][k]
            self.assertEqual(payload_size(ours), int(fields["DataLen"]), (name, k, ours))
            checked += 1
        self.assertGreaterEqual(checked, 25)

    def test_builtin_process_v4(self):
        # The fields PerfView computes for older layouts are in the version 4
        # payload: compare them too, and Flags by PerfView's names for the
        # bits this trace has (the System process is protected; Test.x86.exe
        # is a 32-bit process on the 64-bit system).
        flag_names = {"None": "0x0", "Wow64": "0x2", "Protected": "0x4"}
        mine = self.builtin_events("Process_V4_TypeGroup1")
        pairs = [(e, baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK, KERNEL_OPCODE))
                 for e in mine]
        names = set(n for e, n in pairs)
        self.assertEqual(names, {"Windows Kernel/Process/" + o for o in
                                 ("Start", "Stop", "DCStart", "DCStop", "Defunct")})
        compared, problems = baseline.check_events(
            self.base, pairs, names, field_alias=KERNEL_FIELD_ALIAS,
            skip_fields=("Flags", "PID", "TID"))
        self.assertEqual(problems, [])
        self.assertEqual(compared, 14 * 10)  # 14 printed events, 10 fields each
        by_name = collections.defaultdict(list)
        for e, n in pairs:
            by_name[n].append(e)
        seen = collections.Counter()
        for name, fields in self.base:
            if name in names:
                e = by_name[name][seen[name]]
                seen[name] += 1
                self.assertEqual(e["EventData"]["Flags"], flag_names[fields["Flags"]])
                self.assertRegex(e["EventData"]["UserSID"], r"^S-1-5-")
        start = by_name["Windows Kernel/Process/Start"][0]["EventData"]
        self.assertEqual(start["ImageFileName"], "Test.x86.exe")
        self.assertEqual(start["UserSID"], "S-1-5-21-2935914779-1618742390-1451969622-1001")

    def test_builtin_sysconfig(self):
        # SysConfig (group {9B79EE91-...}) and SystemConfig PnP/Platform against
        # the baseline, field by field, with PerfView's names.
        mine = [e for e in self.events if e["System"].get("EventName", "").startswith(
            ("SysConfig_V0_", "SystemConfig_V4_PnP", "SystemConfig_V2_Platform"))]
        pairs = []
        for e in mine:
            n = baseline.perfview_name(e, KERNEL_PROVIDER, KERNEL_TASK, KERNEL_OPCODE)
            if n == "Windows Kernel/SystemConfig/Platform":
                n = "MSNT_SystemTrace/SystemConfig/Platform"  # PerfView asks TDH for this one
            pairs.append((e, n))
        names = set(n for e, n in pairs)
        self.assertEqual(len(names), 6)
        for n in names:
            self.assertEqual(collections.Counter(n for e, n in pairs)[n], self.counts[n], n)
        compared, problems = baseline.check_events(self.base, pairs, names,
                                                   field_alias=KERNEL_FIELD_ALIAS,
                                                   skip_fields=("PID", "TID"))
        self.assertEqual(problems, [])
        self.assertGreater(compared, 40)
        # The filter driver lists PerfView does not print.
        ports = [e["EventData"] for e, n in pairs if e["EventData"].get("ServiceName") == "Serial"]
        self.assertEqual([d["UpperFilters"] for d in ports], [["serenum"], ["serenum"]])
        self.assertEqual(ports[0]["ClassGuid"], "{4D36E978-E325-11CE-BFC1-08002BE10318}")

    def test_perfinfo_sample_count(self):
        # PerfView's COUNT for PerfInfo/Sample is what its TraceLog keeps: it
        # removes the samples of the idle thread (ThreadId 0) unless the
        # processor was in a DPC or an ISR (bits 16 and 17 of the field the MOF
        # class calls Count). etwfwd forwards every record.
        samples = [e["EventData"] for e in self.events
                   if e["System"].get("EventName") == "SampledProfile"]
        self.assertEqual(len(samples), 88809)
        kept = [d for d in samples if d["ThreadId"] != 0 or d["Count"] & 0x30000]
        self.assertEqual(len(kept), self.counts["Windows Kernel/PerfInfo/Sample"])
        self.assertEqual(len(kept), 6810)


def _utf16_size(s):
    return len(s.encode("utf-16-le")) + 2


def payload_size(ev):
    """Bytes a built-in class's fields take in a 64-bit trace, from the JSON."""
    d, name = ev["EventData"], ev["System"]["EventName"]
    if name == "Process_V4_TypeGroup1":
        subs = len(d["UserSID"].split("-")) - 3
        return (36 + 16 + 8 + 4 * subs + len(d["ImageFileName"].encode()) + 1 +
                sum(_utf16_size(d[k]) for k in ("CommandLine", "PackageFullName",
                                                "ApplicationId")))
    if name == "SystemConfig_V4_PnP":
        strings = [d[k] for k in ("DeviceID", "DeviceDescription", "FriendlyName", "PdoName",
                                  "ServiceName")] + d.get("UpperFilters", []) + d.get(
                                      "LowerFilters", [])
        return 24 + sum(_utf16_size(s) for s in strings)
    if name == "SysConfig_V0_BuildInfo":  # a FILETIME, then two strings
        return 8 + _utf16_size(d["BuildLab"]) + _utf16_size(d["ProductName"])
    return sum(_utf16_size(v) for v in d.values())  # strings only


if __name__ == "__main__":
    unittest.main()
