"""installer/etwfwd.default.ini, the configuration the MSI ships: it must
pass `etwfwd validate` (natively and under Wine) and say what the installer
promises, and so must its commented forwarding examples once uncommented.

Expected GUIDs are the providers' published ones (ETW-NOTES.md §7 for
Kernel-Process; the others as Windows registers them), not etwfwd's table.
"""
import os
import re
import tempfile
import unittest

import clihelp

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.normpath(os.path.join(HERE, "..", "..", "installer", "etwfwd.default.ini"))
SECRET = "s3cr3t-default-config"
ENV = {"SPLUNK_HEC_TOKEN": SECRET, "ES_PASSWORD": SECRET}

POWERSHELL = "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}"
DNS_CLIENT = "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"
AMSI = "{2A576B87-09A7-520E-C21A-4942F0271D67}"
KERNEL_PROCESS = "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"


def validate(path):
    """validate -c path: under Wine with the machine checks (C:\\ProgramData
    can be written there), natively the file alone (--syntax-only), since
    its Windows paths cannot exist on Linux."""
    extra = [] if clihelp.is_windows() else ["--syntax-only"]
    return clihelp.run(["validate", "-c", clihelp.host_path(path)] + extra, env=ENV)


def sections(summary):
    """{'[kind:NAME]': [lines]} of a validate summary."""
    out, cur = {}, None
    for line in summary.splitlines():
        if line.startswith("["):
            cur = line.split(" ")[0]
            out[cur] = []
        elif cur:
            out[cur].append(line.strip())
    return out


def uncomment_examples(text):
    """The file with every commented ';[sink:...]' block and its ';key = value' lines enabled."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith(";[sink:"):
            inside = True
        elif not re.match(r"^;[a-z_]+ = ", line):
            inside = False
        lines.append(line[1:] if inside else line)
    return "\n".join(lines) + "\n"


class DefaultConfig(unittest.TestCase):
    def test_validates(self):
        rc, out, err = validate(DEFAULT)
        self.assertEqual(rc, 0, err)
        s = sections(out)
        self.assertIn("state_dir = C:\\ProgramData\\etwfwd", s["[service]"])
        # Process starts and stops with command lines: the kernel Process events.
        self.assertIn("kind = kernel", s["[session:processes]"])
        self.assertIn("kernel_flags = process", s["[session:processes]"])
        self.assertIn("kernel_session = private", s["[session:processes]"])
        main = s["[session:main]"]
        self.assertIn("kind = realtime", main)
        providers = {l.split(" ")[2].rstrip(":"): l for l in main if l.startswith("provider ")}
        self.assertEqual(sorted(providers), sorted([POWERSHELL, DNS_CLIENT, AMSI]))
        self.assertIn("level=0x05", providers[POWERSHELL])
        self.assertIn("ids=4104", providers[POWERSHELL])
        self.assertIn("ids=3006,3008", providers[DNS_CLIENT])
        self.assertIn("ids=all", providers[AMSI])
        sink = s["[sink:file]"]
        self.assertIn("type = file", sink)
        self.assertIn("path = C:\\ProgramData\\etwfwd\\events\\events.json", sink)
        self.assertIn("rotate_size = 100MiB", sink)
        self.assertIn("keep = 10", sink)
        self.assertEqual([k for k in s if k.startswith("[sink:")], ["[sink:file]"])

    def test_kernel_process_alternative(self):
        # The commented Kernel-Process line is valid and means keyword 0x10, events 1 and 2.
        with open(DEFAULT, encoding="utf-8") as f:
            text = f.read()
        prefix = ";provider = Microsoft-Windows-Kernel-Process"
        line = [l for l in text.splitlines() if l.startswith(prefix)]
        self.assertEqual(len(line), 1)
        text = text.replace(line[0], line[0][1:])
        with tempfile.TemporaryDirectory(prefix="etwfwd-test-") as d:
            path = os.path.join(d, "kp.ini")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            rc, out, err = validate(path)
        self.assertEqual(rc, 0, err)
        kp = [l for l in out.splitlines() if KERNEL_PROCESS in l]
        self.assertEqual(len(kp), 1, out)
        self.assertIn("level=0x04 any=0x10 all=0x0 ids=1,2", kp[0])

    def test_examples_validate(self):
        with open(DEFAULT, encoding="utf-8") as f:
            text = uncomment_examples(f.read())
        with tempfile.TemporaryDirectory(prefix="etwfwd-test-") as d:
            path = os.path.join(d, "examples.ini")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            rc, out, err = validate(path)
        self.assertEqual(rc, 0, err)
        self.assertNotIn(SECRET, out + err)
        s = sections(out)
        self.assertIn("format = splunk-hec", s["[sink:splunk]"])
        self.assertIn("token = ***", s["[sink:splunk]"])
        self.assertIn("format = es-bulk", s["[sink:elastic]"])
        self.assertIn("password = ***", s["[sink:elastic]"])
        self.assertIn("transport = tls", s["[sink:syslog]"])
        self.assertIn("address = siem.example:6514", s["[sink:syslog]"])
        self.assertIn("tls_verify = true", s["[sink:syslog]"])


if __name__ == "__main__":
    unittest.main()
