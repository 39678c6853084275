"""PerfView baselines (*.baseline.txt) and etwfwd replay output, side by side.

A baseline has one `EVENT <ms>: Provider/Task/Opcode PID=..; TID=..; ...;
field=value; ...` line for the first events of each name, with values cut at
20 characters, numbers with thousands separators and times as yy/mm/dd, and
`COUNT name:N` lines for every name in the file. This module parses it, names
replay's JSON events the way PerfView does, and compares one printed value
with one typed JSON value. The rules are in compare_value().
"""
import json
import re

# Fields every EVENT line has that are not payload fields.
HEADER_FIELDS = ("PID", "TID", "PName", "ProceNum", "DataLen")

CUT = 20  # PerfView's value cut: 20 characters, then "..."


def parse(path):
    """Returns ([(name, {field: value})] in file order, {name: count})."""
    events, counts = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"COUNT (.*):(\d+)$", line)
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
                continue
            m = re.match(r"EVENT [\d,.]+: (.*?) (PID=.*)$", line)
            if not m:
                continue
            fields = {}
            for part in m.group(2).rstrip().rstrip(";").split("; "):
                key, sep, val = part.partition("=")
                if sep:
                    fields[key.strip()] = val
            events.append((m.group(1), fields))
    return events, counts


def replay_events(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def perfview_name(ev, provider_alias=None, task_alias=None, opcode_alias=None):
    """Provider/Task/Opcode as PerfView prints it: no opcode for Info (0)."""
    s = ev["System"]
    prov = s["Provider"].get("Name", s["Provider"]["Guid"])
    prov = (provider_alias or {}).get(prov, prov)
    task = s.get("Task", {}).get("Name")
    if task is None and "EventName" in s:
        # TraceLogging: PerfView prints Provider/EventName.
        return "%s/%s" % (prov, s["EventName"])
    task = (task_alias or {}).get(task, task)
    opcode = s.get("Opcode", {}).get("Name")
    opcode = (opcode_alias or {}).get((task, opcode), opcode)
    if opcode in (None, "", "Info"):
        return "%s/%s" % (prov, task)
    return "%s/%s/%s" % (prov, task, opcode)


def _int(text):
    t = text.replace(",", "")
    try:
        return int(t, 16) if t.lower().startswith("0x") else int(t)
    except ValueError:
        return None


def _same_int(a, b):
    # PerfView prints some unsigned fields as signed (TID=-1) and the reverse.
    if a == b:
        return True
    return (a - b) % (1 << 64) == 0 or ((a - b) % (1 << 32) == 0 and abs(a) < (1 << 32)
                                        and abs(b) < (1 << 32))


def _cut_equal(base, ours):
    if base.endswith("...") and len(base) == CUT + 3:
        return ours[:CUT] == base[:CUT]
    return ours == base


def _time_text(iso):
    # "2021-09-09T14:59:35.7990000Z" -> "21/09/09 14:59:35.7990000" (UTC: the
    # baselines were made on a machine whose local time was UTC).
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$", iso)
    if not m:
        return None
    return "%s/%s/%s %s%s" % (m.group(1)[2:], m.group(2), m.group(3), m.group(4),
                              m.group(5) or "")


def compare_value(base, ours):
    """True when PerfView's printed text base shows the JSON value ours."""
    if isinstance(ours, dict) and "Value" in ours:
        if "Name" in ours and _cut_equal(base, ours["Name"]):
            return True
        return compare_value(base, ours["Value"])
    if isinstance(ours, bool):
        return base == ("True" if ours else "False")
    if isinstance(ours, int):
        b = _int(base)
        return b is not None and _same_int(b, ours)
    if isinstance(ours, float):
        try:
            return abs(float(base.replace(",", "")) - ours) <= 1e-6 * max(1.0, abs(ours))
        except ValueError:
            return False
    if ours is None:
        return base == ""
    if isinstance(ours, str):
        if re.match(r"^\{[0-9A-F-]{36}\}$", ours):
            return _cut_equal(base, ours[1:-1].lower())
        if ours.startswith("0x") and _int(ours) is not None:
            b = _int(base)
            return b is not None and _same_int(b, _int(ours))
        t = _time_text(ours)
        if t is not None:
            return _cut_equal(base, t)
        if _int(ours) is not None and _int(base) is not None:  # --int64-strings
            return _same_int(_int(base), _int(ours))
        return _cut_equal(base, ours)
    return False


def check_events(base_events, ours, names, field_alias=None, skip_fields=(), known=None,
                 allow_missing=False):
    """Compares every baseline EVENT whose name is in names with the same-ordinal
    replay event of that name. Returns (fields compared, [problems]).

    field_alias maps a PerfView field name to ours; skip_fields are PerfView's
    computed fields (not in the payload); known maps (name, field) to a reason
    why a value legitimately differs (each use is reported back as 'known').
    """
    by_name = {}
    for ev, name in ours:
        by_name.setdefault(name, []).append(ev)
    seen, compared, problems = {}, 0, []
    for name, fields in base_events:
        if name not in names:
            continue
        k = seen.get(name, 0)
        seen[name] = k + 1
        mine = by_name.get(name, [])
        if k >= len(mine):
            problems.append("%s #%d: not in the replay output" % (name, k))
            continue
        ev = mine[k]
        data = ev.get("EventData")
        if data is None:
            problems.append("%s #%d: no EventData (%s)" % (name, k, ev.get("Flags")))
            continue
        lower = {key.lower(): key for key in data}
        before = compared
        for fname, val in fields.items():
            if fname in HEADER_FIELDS or fname in skip_fields:
                continue
            key = (field_alias or {}).get(fname, fname)
            key = lower.get(key.lower())
            if key is None:
                if allow_missing:
                    continue
                problems.append("%s #%d: field %s missing" % (name, k, fname))
                continue
            compared += 1
            if not compare_value(val, data[key]):
                if known and (name, fname) in known:
                    continue
                problems.append("%s #%d: %s=%s, replay has %r" % (name, k, fname, val, data[key]))
        if compared == before and len(set(fields) - set(HEADER_FIELDS) - set(skip_fields)):
            problems.append("%s #%d: no field in common" % (name, k))
        _check_header(name, k, fields, ev, problems, skip_fields)
    return compared, problems


def _check_header(name, k, fields, ev, problems, skip_fields):
    ex = ev["System"].get("Execution", {})
    for fname, key in (("PID", "ProcessID"), ("TID", "ThreadID"), ("ProceNum", "ProcessorID")):
        if fname in fields and fname not in skip_fields and key in ex and not compare_value(fields[fname], ex[key]):
            problems.append("%s #%d: %s=%s, replay has %r" % (name, k, fname, fields[fname],
                                                             ex[key]))
