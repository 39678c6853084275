#!/usr/bin/env python3
"""Elasticsearch's dynamic mapping, applied to a stream of JSON documents.

An index with default settings maps each new field from the first value it
sees, and then refuses every later document whose value that mapping cannot
take. A forwarder whose events change a field's type from one event to the
next therefore loses events at the SIEM, silently for the forwarder. This
module replays ES's rules (Elasticsearch reference: "Dynamic field
mapping", "Date detection", "coerce", "Numeric field types", "Object field
type", "total_fields.limit") over documents, so tests can fail on any
conflict before a real cluster would.

Rules applied (ES 7/8 defaults):
- A new field: JSON string -> date when it matches date detection's formats
  (strict_date_optional_time or yyyy/MM/dd HH:mm:ss), else text (with a
  keyword sub-field); integer -> long; other number -> float; true/false ->
  boolean; object -> object; null or [] -> nothing mapped yet; an array is
  mapped from its first non-null element.
- Dotted keys are paths: {"a.b": 1} maps field b inside object a.
- Later values: an object where a concrete value is mapped, or the reverse,
  is refused. long takes integers within [-2^63, 2^63-1], floats (truncated)
  and numeric strings; float takes numbers and numeric strings; date takes
  strings its formats parse and integers (epoch millis); boolean takes
  true/false and "true"/"false"/""; text takes strings, numbers and
  booleans (indexed as strings).
- At most 1000 fields (leaf fields and objects) per index.

Usage: es_mapping.py FILE... (one JSON document per line); prints each
conflict and exits 1 when there is any.
"""
import json
import re
import sys

FIELD_LIMIT = 1000
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

# strict_date_optional_time: yyyy[-MM[-dd['T'HH[:mm[:ss[.S{1,9}]]][zone]]]]
_STRICT_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?"
    r"(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$")
_SLASH_DATE = re.compile(r"^\d{4}/\d{2}/\d{2}( \d{2}:\d{2}:\d{2})?( ?[+-]\d{2}:?\d{2}|Z)?$")
_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def _is_date(s):
    if _STRICT_DATE.match(s):
        # A bare year ("2011") is a date to strict_date_optional_time, but
        # ES's date detection only fires on values with a date separator.
        return "-" in s
    return bool(_SLASH_DATE.match(s))


def _new_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "date" if _is_date(v) else "text"
    if isinstance(v, dict):
        return "object"
    raise TypeError(type(v))


def _accepts(t, v):
    """None when a field mapped as t takes v, else why not."""
    if isinstance(v, dict):
        return None if t == "object" else "an object where %s is mapped" % t
    if t == "object":
        return "a concrete value (%s) where an object is mapped" % json.dumps(v)[:60]
    if t == "text":
        return None
    if t == "boolean":
        if isinstance(v, bool) or v in ("true", "false", ""):
            return None
        return "%s is not a boolean" % json.dumps(v)[:60]
    if t in ("long", "float"):
        if isinstance(v, bool):
            return "a boolean where %s is mapped" % t
        if isinstance(v, str):
            if not _NUMERIC.match(v):
                return "string %s where %s is mapped" % (json.dumps(v)[:60], t)
            if t == "float":
                return None
            v = float(v)
        if t == "long" and not (LONG_MIN <= v <= LONG_MAX):
            return "%s is out of a long's range" % v
        return None
    if t == "date":
        if isinstance(v, bool) or isinstance(v, float):
            return "%s is not a date" % json.dumps(v)
        if isinstance(v, int):
            return None
        return None if _is_date(v) else "string %s is not a date" % json.dumps(v)[:60]
    raise ValueError(t)


class Index:
    """One index: the mapping so far and the conflicts found."""

    def __init__(self, name="index"):
        self.name = name
        self.fields = {}  # dotted path -> type
        self.first = {}  # dotted path -> where the mapping came from
        self.conflicts = []
        self.docs = 0

    def add(self, doc, where=""):
        self.docs += 1
        if not isinstance(doc, dict):
            self.conflicts.append("%s: document is not an object" % where)
            return
        self._object("", doc, where)

    def _object(self, prefix, obj, where):
        for key, v in obj.items():
            if key == "" or key.strip(".") == "":
                self.conflicts.append("%s: empty field name under '%s'" % (where, prefix))
                continue
            parts = key.split(".")
            path = prefix
            # Dotted keys: every part but the last is an object.
            for p in parts[:-1]:
                path = path + "." + p if path else p
                if not self._value(path, {}, where):
                    break
            else:
                path = path + "." + parts[-1] if path else parts[-1]
                self._value(path, v, where)

    def _value(self, path, v, where):
        if v is None:
            return True
        if isinstance(v, list):
            ok = True
            for e in v:
                if isinstance(e, list):
                    self.conflicts.append("%s: %s: nested arrays" % (where, path))
                    return False
                ok = self._value(path, e, where) and ok
            return ok
        t = self.fields.get(path)
        if t is None:
            self.fields[path] = t = _new_type(v)
            self.first[path] = where
        else:
            why = _accepts(t, v)
            if why:
                self.conflicts.append("%s: %s: %s (mapped as %s by %s)" %
                                      (where, path, why, t, self.first[path]))
                return False
        if isinstance(v, dict):
            self._object(path, v, where)
        return True

    def check_limit(self):
        if len(self.fields) > FIELD_LIMIT:
            self.conflicts.append("%s: %d fields, more than index.mapping.total_fields.limit "
                                  "(%d)" % (self.name, len(self.fields), FIELD_LIMIT))
        return self.conflicts


def check_files(paths, name="index"):
    ix = Index(name)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if line:
                    ix.add(json.loads(line), "%s:%d" % (path, n))
    return ix.check_limit()


def main(argv):
    conflicts = check_files(argv[1:])
    for c in conflicts:
        print(c)
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
