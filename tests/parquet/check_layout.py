"""A second, independent reading of a Parquet file's layout, with Python's
standard library only: its own Thrift compact protocol decoder reads the
footer, then every column chunk is walked page header by page header. It
checks what DuckDB does not show or tolerates: the magic and footer length,
that the pages of each chunk follow each other exactly from its first page
offset to its total_compressed_size, that the dictionary page comes first,
that total_uncompressed_size and num_values add up from the page headers,
that GZIP and uncompressed pages inflate to their stated size, the row
groups' offsets and sizes, and that every leaf has a column order.

usage: python3 check_layout.py FILE.parquet...
"""
import struct
import sys
import zlib

# Compact protocol types.
BOOL_TRUE, BOOL_FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self):
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind):
        if kind in (BOOL_TRUE, BOOL_FALSE):
            return kind == BOOL_TRUE
        if kind == BYTE:
            return self.byte()
        if kind in (I16, I32, I64):
            return self.zigzag()
        if kind == DOUBLE:
            self.pos += 8
            return struct.unpack_from("<d", self.data, self.pos - 8)[0]
        if kind == BINARY:
            n = self.varint()
            self.pos += n
            return bytes(self.data[self.pos - n:self.pos])
        if kind in (LIST, SET):
            header = self.byte()
            count, element = header >> 4, header & 0x0F
            if count == 15:
                count = self.varint()
            # booleans in a list are one byte each
            return [self.byte() == 1 if element in (BOOL_TRUE, BOOL_FALSE) else self.value(element)
                    for _ in range(count)]
        if kind == STRUCT:
            return self.struct()
        raise ValueError(f"type {kind} not expected in Parquet metadata")

    def struct(self):
        fields, last = {}, 0
        while True:
            header = self.byte()
            if header == 0:
                return fields
            kind, delta = header & 0x0F, header >> 4
            last = last + delta if delta else self.zigzag()
            fields[last] = self.value(kind)


def fail(path, what):
    print(f"FAIL {path}: {what}")
    return 1


def check_chunk(path, data, chunk, where):
    meta = chunk[3]
    codec, start = meta[4], meta.get(11, meta[9])
    problems = 0
    if 11 in meta and meta[11] >= meta[9]:
        problems += fail(path, f"{where}: the dictionary page is not first")
    pos, end, values, uncompressed, first = start, start + meta[7], 0, 0, True
    while pos < end:
        reader = Reader(data, pos)
        header = reader.struct()
        body = data[reader.pos:reader.pos + header[3]]
        uncompressed += reader.pos - pos + header[2]
        if header[1] == 2 and not first:
            problems += fail(path, f"{where}: a dictionary page after the first page")
        if header[1] == 0:
            values += header[5][1]
        if codec == 0 and len(body) != header[2]:
            problems += fail(path, f"{where}: an uncompressed page of {len(body)} bytes, not {header[2]}")
        if codec == 2 and len(zlib.decompress(body, 31)) != header[2]:
            problems += fail(path, f"{where}: a GZIP page that does not inflate to {header[2]} bytes")
        pos, first = reader.pos + header[3], False
    if pos != end:
        problems += fail(path, f"{where}: the pages end at {pos}, not at {end}")
    if values != meta[5]:
        problems += fail(path, f"{where}: data pages hold {values} values, not {meta[5]}")
    if uncompressed != meta[6]:
        problems += fail(path, f"{where}: pages add up to {uncompressed} bytes, not {meta[6]}")
    return problems, start, meta[6], meta[7]


def check_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        return fail(path, "no PAR1 at both ends")
    length = struct.unpack_from("<I", data, len(data) - 8)[0]
    footer_start = len(data) - 8 - length
    reader = Reader(data, footer_start)
    footer = reader.struct()
    problems = 0 if reader.pos == len(data) - 8 else fail(path, "the footer length is wrong")
    leaves = sum(1 for e in footer[2] if 1 in e)
    if len(footer.get(7, [])) != leaves:
        problems += fail(path, f"{len(footer.get(7, []))} column orders for {leaves} leaves")
    rows, pos = 0, 4
    for g, group in enumerate(footer[4]):
        rows += group[3]
        sizes = [0, 0]
        if group.get(5) != pos:
            problems += fail(path, f"row group {g} at {group.get(5)}, its first page at {pos}")
        for c, chunk in enumerate(group[1]):
            p, start, uncompressed, compressed = check_chunk(path, data, chunk, f"row group {g} column {c}")
            problems += p
            if start != pos:
                problems += fail(path, f"row group {g} column {c} starts at {start}, not {pos}")
            pos = start + compressed
            sizes[0] += uncompressed
            sizes[1] += compressed
        if [group[2], group.get(6)] != sizes:
            problems += fail(path, f"row group {g} sizes {group[2]}, {group.get(6)}, not {sizes}")
    if pos != footer_start:
        problems += fail(path, f"the column chunks end at {pos}, the footer starts at {footer_start}")
    if rows != footer[3]:
        problems += fail(path, f"row groups hold {rows} rows, the footer says {footer[3]}")
    return problems


if __name__ == "__main__":
    sys.exit(1 if sum(check_file(p) for p in sys.argv[1:]) else 0)
