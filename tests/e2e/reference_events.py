#!/usr/bin/env python3
"""reference_events.py: compares `evtriage dump` with events.json written by an independent
parser (the Rust evtx crate) for every sigma-regression pair: event id, record id, time,
channel, computer, provider and every EventData/UserData value.

Known, documented rendering differences (not data differences) are normalized, each with its
reason, in normalize(); everything else must be equal. Prints 'N passed, M failed'."""
import json, subprocess, sys, os, glob

def load_reference(path):
    txt = open(path, encoding="utf-8").read()
    dec = json.JSONDecoder()
    i, out = 0, []
    while i < len(txt):
        while i < len(txt) and txt[i].isspace():
            i += 1
        if i >= len(txt):
            break
        obj, i = dec.raw_decode(txt, i)
        out.append(obj["Event"])
    return out

def leaves(node, out, name=None):
    """Flattens UserData the way evtriage does: leaf element names -> text."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "#attributes":
                for ak, av in v.items():
                    if not ak.startswith("xmlns"):
                        out[f"{name}.{ak}"] = av
            elif k == "#text":
                out[name] = v
            else:
                leaves(v, out, k)
    else:
        out[name] = node

def normalize(v):
    # The Rust crate writes numbers as JSON numbers and null for empty values; Windows
    # (and evtriage) render text. Booleans: the crate writes true/false, so do we.
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)

def expected_fields(ev):
    exp = {}
    ed = ev.get("EventData")
    if isinstance(ed, dict):
        for k, v in ed.items():
            if k == "#attributes":
                continue  # EventData's own attributes (e.g. Name=...) are not values
            if k == "Data":
                # unnamed <Data> elements: the crate nests them under "Data" -> "#text"
                items = v.get("#text") if isinstance(v, dict) else v
                if not isinstance(items, list):
                    items = [items]
                for i, item in enumerate(items):
                    exp[f"Data[{i}]"] = normalize(item)
                continue
            exp[k] = normalize(v)
    ud = ev.get("UserData")
    if isinstance(ud, dict):
        flat = {}
        leaves(ud, flat)
        for k, v in flat.items():
            if k is not None:
                exp[k] = normalize(v)
    return exp

# Values where events.json disagrees with the bytes of the file, each with the reason.
KNOWN_REFERENCE_ERRORS = {
    ("ad691d92-15f2-4181-9aa4-723c74f9ddc3", 23419552, "ParentCommandLine"):
        "the file holds 'C:\\Windows\\Explorer.EXE' (evtxexport and python-evtx agree); "
        "events.json says 'Explorer.exe'",
}

def main():
    binary = os.environ["EVTRIAGE"]
    root = os.path.join(os.environ["EVTRIAGE_SHARED"], "corpus", "sigma-regression")
    dirs = sorted(glob.glob(os.path.join(root, "*", "events.evtx")))
    if len(dirs) < 100:
        print(f"FAIL: expected about 101 sigma-regression pairs, found {len(dirs)}")
        return 1
    passed = failed = 0
    for evtx in dirs:
        d = os.path.dirname(evtx)
        ref = load_reference(os.path.join(d, "events.json"))
        res = subprocess.run([binary, "dump", evtx], capture_output=True, text=True)
        ours = {}
        for line in res.stdout.splitlines():
            o = json.loads(line)
            # slack space may hold an older copy of a live record: the live one wins
            if o["record_id"] not in ours or not o["recovered"]:
                ours[o["record_id"]] = o
        problems = []
        if res.returncode != 0:
            problems.append(f"exit {res.returncode}: {res.stderr.strip()[:200]}")
        for ev in ref:
            sysv = ev["System"]
            rid = sysv["EventRecordID"]
            o = ours.get(rid)
            if o is None:
                problems.append(f"record {rid} missing")
                continue
            eid = sysv["EventID"]
            if isinstance(eid, dict):
                eid = eid.get("#text")
            checks = [
                ("event_id", o["event_id"], int(eid)),
                ("channel", o["channel"], sysv.get("Channel")),
                ("computer", o["computer"], sysv.get("Computer")),
                ("provider", o["provider"], sysv["Provider"]["#attributes"].get("Name")),
                # the crate prints microseconds (6 digits); we print 100 ns (7 digits)
                ("timestamp", o["timestamp"][:26], sysv["TimeCreated"]["#attributes"]["SystemTime"][:26]),
            ]
            for name, got, want in checks:
                if got != want:
                    problems.append(f"record {rid} {name}: {got!r} != {want!r}")
            exp = expected_fields(ev)
            for k, want in exp.items():
                got = o["fields"].get(k)
                if got is not None and got != want:
                    # The crate prints GUIDs bare in upper case; Windows (and we) print
                    # {lower-case}. Same 16 bytes.
                    if got.startswith("{") and got.endswith("}") and got[1:-1].upper() == want.upper():
                        continue
                    # The crate trims trailing whitespace from text; Windows keeps it
                    # (Sysmon command lines end in a space).
                    if got.rstrip() == want and got != got.rstrip():
                        continue
                if got != want and (os.path.basename(d), rid, k) not in KNOWN_REFERENCE_ERRORS:
                    problems.append(f"record {rid} field {k}: {got!r} != {want!r}")
        name = os.path.basename(d)
        if problems:
            failed += 1
            print(f"FAIL: {name}: " + "; ".join(problems[:5]))
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
