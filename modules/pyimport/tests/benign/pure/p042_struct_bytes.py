import struct
import io

RECORD = struct.Struct("<IhhfB")


def pack_records(rows):
    buf = io.BytesIO()
    for row in rows:
        buf.write(RECORD.pack(*row))
    return buf.getvalue()


def unpack_records(data):
    return [RECORD.unpack_from(data, off) for off in range(0, len(data), RECORD.size)]


rows = [(1, -20, 300, 1.5, 7), (2, 5, -1, 2.25, 255), (3, 0, 0, -0.5, 0)]
blob = pack_records(rows)
print(len(blob), "bytes,", RECORD.size, "per record")
print(blob[:16].hex(" "))
for r in unpack_records(blob):
    print(r)
print(int.from_bytes(b"\x01\x02", "big"), (258).to_bytes(2, "little"))
