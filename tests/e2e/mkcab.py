# mkcab.py [--mszip] OUT FILE...: writes a Microsoft cabinet (MS-CAB, [MS-CAB] 2.1-2.5) of FILEs:
# one folder, its data stored or MSZIP-compressed (each 32 KiB block a raw deflate stream with the
# block before it as dictionary, behind "CK"), as the cabinets of Microsoft's support tools hold
# event logs. No tool on Debian writes one without an extra package; this is enough to test reading.
import os
import struct
import sys
import zlib

args = sys.argv[1:]
mszip = bool(args) and args[0] == "--mszip"
if mszip:
    args = args[1:]
if len(args) < 2:
    sys.exit("usage: mkcab.py [--mszip] OUT FILE...")
out, files = args[0], args[1:]
datas = [open(f, "rb").read() for f in files]
blob = b"".join(datas)
blocks = [blob[i:i + 32768] for i in range(0, len(blob), 32768)] or [b""]


def packed(i, block):
    if not mszip:
        return block
    c = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=blocks[i - 1]) if i else zlib.compressobj(9, zlib.DEFLATED, -15)
    return b"CK" + c.compress(block) + c.flush()


data = [packed(i, b) for i, b in enumerate(blocks)]
names = [os.path.basename(f).encode() + b"\0" for f in files]
HEADER, FOLDER = 36, 8
first_data = HEADER + FOLDER + sum(16 + len(n) for n in names)
total = first_data + sum(8 + len(d) for d in data)
# CFHEADER: signature, reserved, cabinet size, reserved, first CFFILE, reserved, version 1.3,
# one folder, file count, flags, set id, cabinet number
out_bytes = struct.pack("<4sIIIIIBBHHHHH", b"MSCF", 0, total, 0, HEADER + FOLDER, 0, 3, 1, 1, len(files), 0, 0, 0)
out_bytes += struct.pack("<IHH", first_data, len(blocks), 1 if mszip else 0)   # CFFOLDER
offset = 0
for d, n in zip(datas, names):   # CFFILE: size, offset in the folder, folder 0, date, time, attributes
    out_bytes += struct.pack("<IIHHHH", len(d), offset, 0, 0x5A21, 0x6000, 0x20) + n
    offset += len(d)
for d, b in zip(data, blocks):   # CFDATA: no checksum, packed and unpacked sizes
    out_bytes += struct.pack("<IHH", 0, len(d), len(b)) + d
open(out, "wb").write(out_bytes)
