"""Hand-built image files for the fault tests: a PNG decompression bomb and small files of every
format users bring."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
  """A PNG chunk: length, type, data, CRC-32 of type + data (PNG spec, 5.3)."""
  return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
  """A valid 8-bit RGB PNG of zero pixels: rows of zeros compress ~1000:1 (20000 x 20000: ~1.2 MB
  on disk, 1.2 GB of pixels)."""
  row = bytes(1 + 3 * width)  # filter type 0 + RGB zeros
  packer = zlib.compressobj(9)
  data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
  ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bit, colour type 2 (RGB)
  return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
