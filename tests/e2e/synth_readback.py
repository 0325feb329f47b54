#!/usr/bin/python3
"""synth_readback.py: checks that the EVTX files `evtriage synth` wrote for a scenario read back
as the scenario says, through three independent readers: `evtriage dump`, Debian's
`evtxexport -f xml` (libevtx) and python-evtx. The scenario is interpreted here on its own
(PyYAML, defaults, repeats, time order, record ids), not through evtriage's parser.

Where a reader cannot render a value the way Windows does, the comparison says why and checks
the reader's known rendering instead (so a new difference still fails):
  - libevtx 20181227 renders negative integers as '-' + the magnitude bits (-540 as int32 comes
    out as -2147483108), decodes UTF-16 surrogate pairs wrongly (characters beyond U+FFFF), prints
    reals as %e, SizeT in decimal, and drops an element whose optional value is NULL;
  - python-evtx converts FILETIME through a float (printed with
    microseconds only; within 10 microseconds), prints a SYSTEMTIME's milliseconds as microseconds, Binary as Base64,
    booleans as True/False, and absent optional values as empty text.
usage: synth_readback.py SCENARIO.yaml OUTDIR EVTRIAGE
"""
import base64
import datetime
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import yaml
import Evtx.Evtx as evtx

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}
UINT_TYPES = {"uint8", "uint16", "uint32", "uint64", "hex32", "hex64", "sizet"}
failures = []


class Typed:
    """A scenario value with its tag (string when untagged)."""
    def __init__(self, kind, text):
        self.kind, self.text = kind, text

    def __repr__(self):
        return "!%s %r" % (self.kind, self.text)


class Loader(yaml.SafeLoader):
    pass


def _typed(kind):
    return lambda loader, node: Typed(kind, loader.construct_scalar(node))


for _k in ["string", "ansi", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
           "hex32", "hex64", "sizet", "float", "double", "bool", "binary", "guid", "sid", "filetime",
           "systemtime", "null"]:
    Loader.add_constructor("!" + _k, _typed(_k))
# Plain scalars are strings in a scenario (as Windows stores EventData text): keep YAML's text.
for _tag in ["tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
             "tag:yaml.org,2002:timestamp"]:
    Loader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))


def ticks(iso):
    """ISO 8601 (up to 7 fractional digits, Z) -> FILETIME ticks."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$", str(iso).strip())
    if not m:
        raise ValueError("bad time %r" % iso)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "0")[:7].ljust(7, "0")
    base = datetime.datetime(y, mo, d, h, mi, s) - datetime.datetime(1601, 1, 1)
    t = (base.days * 86400 + base.seconds) * 10**7 + int(frac)
    z = m.group(8)
    if z and z != "Z":
        sign = 1 if z[0] == "+" else -1
        zz = z[1:].replace(":", "")
        t -= sign * (int(zz[:2]) * 3600 + int(zz[2:]) * 60) * 10**7
    return t


def iso(t):
    dt = datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=t // 10)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % (t % 10**7)


def placeholders(v, t, n):
    """${time:FORMAT}, ${time} and ${n} in the values of a repeated event's copies."""
    if isinstance(v, dict):
        return {k: placeholders(x, t, n) for k, x in v.items()}
    if isinstance(v, list):
        return [placeholders(x, t, n) for x in v]
    text = v.text if isinstance(v, Typed) else v
    if not isinstance(text, str) or "${" not in text:
        return v
    def one(m):
        if m.group(0) == "${n}":
            return str(n)
        if m.group(0) == "${time}":
            return iso(t)
        dt = datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=t // 10)
        return dt.strftime(m.group(1))
    out = re.sub(r"\$\{n\}|\$\{time\}|\$\{time:([^}]*)\}", one, text)
    return Typed(v.kind, out) if isinstance(v, Typed) else out


def duration(s):
    n, unit = int(s[:-1]), s[-1]
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit] * 10**7


# ---- the scenario, interpreted independently ---------------------------------------------------

def expected_files(path):
    doc = yaml.load(open(path, encoding="utf-8"), Loader=Loader)
    files = []
    for host in doc["hosts"]:
        for f in host["files"]:
            chain = [f.get("defaults") or {}, host.get("defaults") or {}, doc.get("defaults") or {}]
            events = []
            for order, e in enumerate(f["events"]):
                def get(k, e=e):
                    if k in e:
                        return e[k]
                    for d in chain:
                        if k in d:
                            return d[k]
                    return None
                ev = {k: get(k) for k in ["event_id", "provider", "provider_guid", "event_source", "qualifiers",
                                          "version", "level", "task", "opcode", "keywords", "record_id",
                                          "user_sid", "process_id", "thread_id", "activity_id",
                                          "related_activity_id", "computer", "event_data", "binary", "user_data"]}
                ev["computer"] = ev["computer"] or host["computer"]
                ev["channel"] = f["channel"]
                t0 = ticks(get("time"))
                rep = e.get("repeat") or {"count": 1, "every": "1s"}
                for i in range(int(rep["count"])):
                    x = dict(ev)
                    x["time"] = t0 + i * duration(str(rep["every"]))
                    x["_order"] = (order, i)
                    for k in ("event_data", "user_data"):
                        x[k] = placeholders(ev[k], x["time"], i + 1)
                    events.append(x)
            if f.get("order", "time") == "time":
                events.sort(key=lambda x: (x["time"], x["_order"]))
            nxt = int(f.get("first_record_id", 1))
            for x in events:
                if x["record_id"] is not None:
                    nxt = int(x["record_id"])
                x["record_id"] = nxt
                nxt += 1
            name = f.get("file") or f["channel"].replace("/", "%4") + ".evtx"
            files.append(("%s/%s" % (host.get("folder") or host["computer"], name), events))
    return files


def payload_fields(ev):
    """Expected leaf values in document order: (name for our reader, xml path, Typed)."""
    out = []
    data = ev["event_data"]
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((k, ("EventData", "Data", k), typed(v)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append(("Data[%d]" % i, ("EventData", "Data", i), typed(v)))
    if ev["binary"] is not None:
        out.append(("Binary", ("EventData", "Binary", None), Typed("binary", str(ev["binary"]))))
    if ev["user_data"]:
        (root, body), = ev["user_data"].items()

        def walk(name, v):
            if isinstance(v, dict):
                for k, c in v.items():
                    if k.startswith("@"):
                        continue
                    for item in (c if isinstance(c, list) else [c]):
                        walk(k, item)
            else:
                out.append((name, ("UserData", name, None), typed(v)))
        walk(root, body)
    return out


def typed(v):
    return v if isinstance(v, Typed) else Typed("string", "" if v is None else str(v))


# ---- value comparison ------------------------------------------------------------------------

def int_of(s):
    s = s.strip()
    return int(s, 16) if s.lower().startswith("0x") else int(s)


def libevtx_int(v, bits):
    """libevtx 20181227: '-' + magnitude bits for negative values (the minimum prints right)."""
    if v >= 0 or v == -(1 << (bits - 1)):
        return v
    return -((v + (1 << bits)) & ((1 << (bits - 1)) - 1))


def guid_bytes_text(s):
    return s.strip("{}").lower()


def same(reader, exp, got):
    """Does `got` (text from reader, None when absent) render `exp`? Returns an error or None."""
    k, t = exp.kind, exp.text
    if k == "null":
        if reader == "libevtx":
            return None if got is None else "NULL value should drop the element (libevtx), got %r" % got
        return None if got in ("", None) else "expected empty, got %r" % got
    if got is None:
        return "missing (expected %r)" % exp
    try:
        if k in ("string", "ansi"):
            if reader == "libevtx" and any(ord(ch) > 0xFFFF for ch in t):
                pattern = "".join(".{1}" if ord(ch) > 0xFFFF else re.escape(ch) for ch in t)
                return None if re.fullmatch(pattern, got, re.S) else "got %r (libevtx: surrogate pairs)" % got
            return None if got == t else "got %r, expected %r" % (got, t)
        if k in INT_BITS:
            want = int(t)
            if reader == "libevtx":
                want = libevtx_int(want, INT_BITS[k])
            return None if int_of(got) == want else "got %r, expected %d" % (got, want)
        if k in UINT_TYPES:
            want = int_of(t)
            if k in ("hex32", "hex64") and reader != "python-evtx" and not got.lower().startswith("0x"):
                return "hex value %r lacks 0x" % got
            return None if int_of(got) == want else "got %r, expected %d" % (got, want)
        if k in ("float", "double"):
            return None if abs(float(got) - float(t)) <= 1e-6 * max(1, abs(float(t))) else "got %r" % got
        if k == "bool":
            want = t.lower() in ("true", "1")
            return None if got.lower() == ("true" if want else "false") else "got %r" % got
        if k == "binary":
            want = bytes.fromhex(t.replace(" ", ""))
            have = base64.b64decode(got) if reader == "python-evtx" else bytes.fromhex(got)
            return None if have == want else "got %r" % got
        if k == "guid":
            return None if guid_bytes_text(got) == guid_bytes_text(t) else "got %r" % got
        if k == "sid":
            return None if got == t else "got %r" % got
        if k == "filetime":
            return same_time(reader, ticks(t), got)
        if k == "systemtime":
            want = ticks(t)
            if reader == "python-evtx":  # milliseconds printed as microseconds
                dt = datetime.datetime.fromisoformat(got)
                whole = ticks(dt.strftime("%Y-%m-%dT%H:%M:%S"))
                return None if whole + dt.microsecond * 10000 == want else "got %r" % got
            return None if ticks(got) == want else "got %r" % got
    except ValueError as e:
        return "unparsable %r (%s)" % (got, e)
    return "no comparison for %s" % k


def same_time(reader, want, got):
    if reader == "python-evtx":  # FILETIME through float64 (spacing 16 ticks near 1.3e17), then microseconds
        return None if abs(ticks(got) - want) <= 100 else "got %r" % got
    t = got.replace("Z", "")
    if "." in t:  # libevtx prints nanoseconds: keep 7 digits
        head, frac = t.split(".")
        t = head + "." + frac[:7]
    return None if ticks(t) == want else "got %r, expected %d ticks" % (got, want)


# ---- the three readers -------------------------------------------------------------------------

def read_ours(evtriage, path):
    p = subprocess.run([evtriage, "dump", path], capture_output=True, text=True)
    if p.returncode != 0:
        fail(path, "evtriage dump exited %d: %s" % (p.returncode, p.stderr.strip()))
    return [json.loads(line) for line in p.stdout.splitlines()]


def xml_records(text):
    out = []
    for piece in re.split(r"(?=<Event[ >])", text):
        piece = piece.strip()
        if piece.startswith("<Event"):
            out.append(ET.fromstring(piece))
    return out


def read_libevtx(path):
    p = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True, text=True)
    bad = p.returncode != 0 or re.search(r"(?i)unable|error", p.stderr + p.stdout.replace("Error", ""))
    if bad:
        fail(path, "evtxexport reported a problem (exit %d): %s" % (p.returncode, (p.stderr or p.stdout)[-400:]))
    return xml_records(p.stdout)


def read_python_evtx(path):
    with evtx.Evtx(path) as log:
        return [ET.fromstring(r.xml()) for r in log.records()]


def xml_system(root):
    s = root.find(NS + "System")

    def text(tag):
        e = s.find(NS + tag)
        return None if e is None or e.text is None or e.text == "" else e.text

    def attr(tag, a):
        e = s.find(NS + tag)
        v = None if e is None else e.get(a)
        return None if v in (None, "") else v
    prov = s.find(NS + "Provider")
    return {"provider": prov.get("Name"), "provider_guid": prov.get("Guid") or None,
            "event_source": prov.get("EventSourceName") or None,
            "event_id": text("EventID"), "qualifiers": attr("EventID", "Qualifiers"),
            "version": text("Version"), "level": text("Level"), "task": text("Task"), "opcode": text("Opcode"),
            "keywords": text("Keywords"), "time": attr("TimeCreated", "SystemTime"),
            "record_id": text("EventRecordID"), "activity_id": attr("Correlation", "ActivityID"),
            "related_activity_id": attr("Correlation", "RelatedActivityID"),
            "process_id": attr("Execution", "ProcessID"), "thread_id": attr("Execution", "ThreadID"),
            "channel": text("Channel"), "computer": text("Computer"), "user_sid": attr("Security", "UserID")}


def xml_leaf(root, path):
    section, name, key = path
    sec = root.find(NS + section)
    if sec is None:
        return None
    if section == "EventData":
        items = sec.findall(NS + name)
        if isinstance(key, int):
            items = [d for d in items if d.get("Name") is None]
            node = items[key] if key < len(items) else None
        elif key is None:
            node = items[0] if items else None
        else:
            node = next((d for d in items if d.get("Name") == key), None)
    else:
        node = next((e for e in sec.iter() if e.tag.split("}")[-1] == name and len(e) == 0), None)
    if node is None:
        return None
    return node.text or ""


SYSTEM_TYPES = {"event_id": "uint16", "qualifiers": "uint16", "version": "uint8", "level": "uint8",
                "task": "uint16", "opcode": "uint8", "keywords": "hex64", "record_id": "uint64",
                "process_id": "uint32", "thread_id": "uint32", "activity_id": "guid",
                "related_activity_id": "guid", "user_sid": "sid"}


def check_system(reader, where, ev, got):
    for k, kind in SYSTEM_TYPES.items():
        want = ev[k]
        if want is None:
            if got.get(k) not in (None, ""):
                fail(where, "%s: %s should be absent, got %r" % (reader, k, got.get(k)))
            continue
        err = same(reader, Typed(kind, str(want)), None if got.get(k) is None else str(got[k]))
        if err:
            fail(where, "%s: %s %s" % (reader, k, err))
    for k in ("provider", "provider_guid", "event_source", "channel", "computer"):
        if (ev[k] or None) != (got.get(k) or None):
            fail(where, "%s: %s is %r, expected %r" % (reader, k, got.get(k), ev[k]))
    err = same_time(reader, ev["time"], got["time"]) if got.get("time") else "no time"
    if err:
        fail(where, "%s: time %s" % (reader, err))


def check_file(evtriage, outdir, rel, events):
    path = "%s/%s" % (outdir, rel)
    ours, lib, pyx = read_ours(evtriage, path), read_libevtx(path), read_python_evtx(path)
    for reader, recs in (("evtriage", ours), ("libevtx", lib), ("python-evtx", pyx)):
        if len(recs) != len(events):
            fail(rel, "%s read %d records, the scenario has %d" % (reader, len(recs), len(events)))
    for i, ev in enumerate(events):
        where = "%s record %d (scenario event id %s)" % (rel, ev["record_id"], ev["event_id"])
        fields = payload_fields(ev)
        if i < len(ours):
            o = ours[i]
            got = {k: o[k] for k in o if k != "fields"}
            got["time"] = o["timestamp"]
            # not part of dump's schema (issue #2's key list): EventSourceName, the activity ids
            for k in ("event_source", "activity_id", "related_activity_id"):
                got[k] = ev[k]
            check_system("evtriage", where, ev, got)
            if o["recovered"]:
                fail(where, "evtriage: flagged recovered")
            names = [n for n, _, _ in fields]
            for name, _, exp in fields:
                err = same("evtriage", exp, o["fields"].get(name))
                if err:
                    fail(where, "evtriage: field %s %s" % (name, err))
            extra = set(o["fields"]) - set(names)
            if extra:
                fail(where, "evtriage: unexpected fields %s" % sorted(extra))
        for reader, recs in (("libevtx", lib), ("python-evtx", pyx)):
            if i >= len(recs):
                continue
            check_system(reader, where, ev, xml_system(recs[i]))
            for name, xpath, exp in fields:
                err = same(reader, exp, xml_leaf(recs[i], xpath))
                if err:
                    fail(where, "%s: field %s %s" % (reader, name, err))


def main():
    scenario, outdir, evtriage = sys.argv[1:4]
    files = expected_files(scenario)
    records = 0
    for rel, events in files:
        check_file(evtriage, outdir, rel, events)
        records += len(events)
    for f in failures[:40]:
        print("FAIL", f)
    if failures:
        print("%d mismatch(es) in %s" % (len(failures), scenario))
        return 1
    print("ok %s: %d file(s), %d record(s) agree with the scenario in evtriage, libevtx and python-evtx"
          % (scenario, len(files), records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
