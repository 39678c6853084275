"""Writes etwfwd spool folders from Python, following docs/pipeline.md.

An independent implementation of the on-disk format (segments, records,
ledger), so the CLI and crash tests can build damaged spools byte by byte
and check that etwfwd reads what the documentation says it writes.
"""
import os
import struct


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        t.append(c)
    return t


_T = _table()


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def segment_header():
    h = b"EFSPOOL1" + struct.pack("<I", 1)
    return h + struct.pack("<I", crc32c(h))


def record(seq, data):
    s = struct.pack("<Q", seq)
    return struct.pack("<II", len(data), crc32c(s + data)) + s + data


def segment_name(first_seq):
    return "%020d.seg" % first_seq


def write_segment(folder, first_seq, events):
    """events: list of (seq, bytes). Returns the path and each record's offset."""
    path = os.path.join(folder, segment_name(first_seq))
    offsets = []
    out = bytearray(segment_header())
    for seq, data in events:
        offsets.append(len(out))
        out += record(seq, data)
    with open(path, "wb") as f:
        f.write(out)
    return path, offsets


def write_ledger(folder, cursors):
    text = "etwfwd-spool-ledger 1\n" + "".join("%s %d\n" % (n, s) for n, s in cursors)
    text += "crc32c %08x\n" % crc32c(text.encode())
    with open(os.path.join(folder, "ledger"), "wb") as f:
        f.write(text.encode())


def event(n):
    return ('{"n":%d,"msg":"event %d"}' % (n, n)).encode()
