#!/usr/bin/env python3
"""make_big_evtx.py: builds a large, valid EVTX file from the real chunks of the corpus.

EVTX chunks are self-contained 64 KiB blocks, so chunks of many files can be laid one after
another under a new file header. Record headers get new, rising record numbers; chunk headers
get matching first/last numbers; every CRC32 is recomputed. The EventRecordID inside each
record's XML is left as Windows wrote it (it is a substitution value; renumbering it is not
needed for throughput measurements).

usage: make_big_evtx.py OUT.evtx [SIZE_MB] [SOURCE_DIR...]
Only files that evtxexport reads without error are used, so both tools read every record."""
import os, struct, subprocess, sys, zlib

CHUNK = 65536

def good_sources(dirs):
    for d in dirs:
        for root, _, files in os.walk(d):
            for name in sorted(files):
                if not name.lower().endswith(".evtx"):
                    continue
                path = os.path.join(root, name)
                r = subprocess.run(["evtxexport", path], capture_output=True)
                if r.returncode == 0 and b"Event number" in r.stdout:
                    yield path

def live_records(chunk):
    """Offsets and sizes of the records in the chunk's live area, or None if damaged."""
    free = struct.unpack_from("<I", chunk, 48)[0]
    if free < 512 or free > CHUNK:
        return None
    out, pos = [], 512
    while pos < free:
        if chunk[pos:pos + 4] != b"\x2a\x2a\x00\x00":
            return None
        size = struct.unpack_from("<I", chunk, pos + 4)[0]
        if size < 28 or pos + size > free or struct.unpack_from("<I", chunk, pos + size - 4)[0] != size:
            return None
        out.append((pos, size))
        pos += size
    return out

def source_chunks(paths):
    for path in paths:
        data = open(path, "rb").read()
        for off in range(4096, len(data) - CHUNK + 1, CHUNK):
            c = bytearray(data[off:off + CHUNK])
            if c[:8] != b"ElfChnk\x00":
                continue
            recs = live_records(c)
            if recs:
                yield c, recs

def renumber(c, recs, first):
    n = first
    for pos, _ in recs:
        struct.pack_into("<Q", c, pos + 8, n)
        n += 1
    last = n - 1
    struct.pack_into("<QQQQ", c, 8, first, last, first, last)
    free = struct.unpack_from("<I", c, 48)[0]
    struct.pack_into("<I", c, 52, zlib.crc32(bytes(c[512:free])) & 0xFFFFFFFF)
    struct.pack_into("<I", c, 124, zlib.crc32(bytes(c[0:120]) + bytes(c[128:512])) & 0xFFFFFFFF)
    return n

def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = sys.argv[3:] or [os.path.join(here, "..", "..", "shared", "corpus", d)
                            for d in ("machine-logs", "parsers/plaso", "sigma-regression")]
    chunks = list(source_chunks(list(good_sources(dirs))))
    if not chunks:
        print("no usable chunks found", file=sys.stderr)
        return 1
    want = max(1, size_mb * 1024 * 1024 // CHUNK)
    if want > 65535:
        print("capped at 65535 chunks (the header's chunk count is 16 bits)", file=sys.stderr)
        want = 65535
    next_id, records = 1, 0
    with open(out + ".tmp", "wb") as f:
        f.write(b"\0" * 4096)
        for i in range(want):
            c, recs = chunks[i % len(chunks)]
            c = bytearray(c)
            next_id = renumber(c, recs, next_id)
            records += len(recs)
            f.write(c)
        hdr = bytearray(4096)
        hdr[0:8] = b"ElfFile\x00"
        struct.pack_into("<QQQIHHHH", hdr, 8, 0, want - 1, next_id, 128, 1, 3, 4096, want & 0xFFFF)
        struct.pack_into("<I", hdr, 120, 0)
        struct.pack_into("<I", hdr, 124, zlib.crc32(bytes(hdr[0:120])) & 0xFFFFFFFF)
        f.seek(0)
        f.write(hdr)
    os.replace(out + ".tmp", out)
    print(f"{out}: {want} chunks, {records} records, {want * CHUNK + 4096} bytes "
          f"(from {len(chunks)} distinct source chunks)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
