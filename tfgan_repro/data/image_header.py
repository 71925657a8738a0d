"""Image sizes read from file headers before anything is decoded, and the pixel cap.

A small file can decode to a huge image (a PNG of zero rows compresses ~1000:1: 1.1 MB -> 20000 x
20000, docs/pitfalls.md, "Decompression bombs"), so every reader checks width x height from the
header against a cap before it decodes:

- PNG: IHDR width / height, big-endian uint32 at bytes 16-24 (PNG spec, 11.2.2);
- JPEG: the frame header, through `tf.image.extract_jpeg_shape`;
- GIF: the logical screen, little-endian uint16 at bytes 6-10 (GIF89a spec, 18);
- BMP: the DIB header at byte 14 (BITMAPCOREHEADER: int16 at 18, 20; else int32 at 18, 22);
- WebP, TIFF: Pillow's `Image.open`, which reads the header only (decoding is lazy).

TensorFlow decodes PNG, JPEG, GIF (first frame) and BMP; WebP and TIFF are read with Pillow. Any
other file is an "unsupported format".
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import struct
import warnings
from collections.abc import Iterator

import tensorflow as tf
from PIL import Image

# 64 megapixels: an 8000 x 8000 photo fits; decoding it to float32 RGB takes 768 MB.
DEFAULT_MAX_PIXELS = 64_000_000
TF_FORMATS = ("png", "jpeg", "gif", "bmp")  # tf.io.decode_image
PILLOW_FORMATS = ("webp", "tiff")  # read with Pillow
FORMATS = TF_FORMATS + PILLOW_FORMATS
# What `ImageFileError.reason` holds.
UNSUPPORTED, TOO_LARGE, CORRUPT, WRONG_CHANNELS = (
  "unsupported format",
  "too large",
  "corrupt",
  "wrong channels",
)
HEADER_BYTES = 64 * 1024  # enough for every header above but JPEG's (read whole)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_GIF_MAGICS = (b"GIF87a", b"GIF89a")
_TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
# PNG colour type -> channels (PNG spec, 11.2.2; palette images are RGB).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}


class ImageFileError(ValueError):
  """A file that is not read: `reason` is one of UNSUPPORTED, TOO_LARGE, CORRUPT, WRONG_CHANNELS;
  the message says why in full."""

  def __init__(self, reason: str, message: str):
    super().__init__(message)
    self.reason = reason


@dataclasses.dataclass(frozen=True)
class Header:
  """format: one of FORMATS; channels: as stored (None where the header does not say)."""

  format: str
  width: int
  height: int
  channels: int | None = None

  @property
  def pixels(self) -> int:
    return self.width * self.height


def too_large_message(width: int, height: int, max_pixels: int) -> str:
  return f"too large: {width} x {height} = {width * height} pixels > cap {max_pixels}"


def check_max_pixels(max_pixels: int) -> int:
  """`max_pixels` if a positive int; ValueError naming it otherwise."""
  if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
    raise ValueError(f"max_pixels must be a positive int, got {max_pixels!r}")
  return max_pixels


def sniff_format(data: bytes) -> str | None:
  """The format of an encoded image from its first bytes (one of FORMATS), else None."""
  if data.startswith(_PNG_MAGIC):
    return "png"
  if data.startswith(_JPEG_MAGIC):
    return "jpeg"
  if data.startswith(_GIF_MAGICS):
    return "gif"
  if data.startswith(b"BM"):
    return "bmp"
  if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
    return "webp"
  if data.startswith(_TIFF_MAGICS):
    return "tiff"
  return None


def read_header(data: bytes, name: str = "image") -> Header:
  """The Header of the encoded image `data` (its first HEADER_BYTES suffice except for JPEG);
  ImageFileError (UNSUPPORTED or CORRUPT) naming `name` when it has none."""
  fmt = sniff_format(data)
  try:
    if fmt == "png":
      if data[12:16] != b"IHDR" or len(data) < 26:
        raise ValueError("no IHDR chunk")
      width, height = struct.unpack(">II", data[16:24])
      return Header("png", width, height, _PNG_CHANNELS.get(data[25]))
    if fmt == "jpeg":
      h, w, c = (int(v) for v in tf.image.extract_jpeg_shape(data).numpy())
      return Header("jpeg", w, h, c)
    if fmt == "gif":
      width, height = struct.unpack("<HH", data[6:10])
      return Header("gif", width, height, 3)
    if fmt == "bmp":
      (dib,) = struct.unpack("<I", data[14:18])
      if dib == 12:
        width, height = struct.unpack("<hh", data[18:22])
      else:
        width, height = struct.unpack("<ii", data[18:26])
      return Header("bmp", abs(width), abs(height), None)
  except (struct.error, ValueError, tf.errors.OpError) as err:
    message = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
    raise ImageFileError(CORRUPT, f"{name}: corrupt {fmt.upper()} header: {message}") from err
  return _pillow_header(data, fmt, name)


def _pillow_header(data: bytes, fmt: str | None, name: str) -> Header:
  """Pillow's header of `data` (Image.open reads no pixels); UNSUPPORTED for any format but
  PILLOW_FORMATS."""
  try:
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", Image.DecompressionBombWarning)
      with pillow_unbounded(), Image.open(io.BytesIO(data)) as im:
        found, (width, height), bands = im.format, im.size, len(im.getbands())
  except Image.UnidentifiedImageError as err:
    raise ImageFileError(UNSUPPORTED, f"{name}: unsupported format (not an image file)") from err
  except (OSError, SyntaxError, ValueError) as err:
    raise ImageFileError(CORRUPT, f"{name}: corrupt {fmt or 'image'} header: {err}") from err
  found = (found or "").lower()
  if found not in PILLOW_FORMATS:
    raise ImageFileError(
      UNSUPPORTED,
      f"{name}: unsupported format {found.upper() or '?'} (read: {', '.join(FORMATS)})",
    )
  return Header(found, width, height, bands)


@contextlib.contextmanager
def pillow_unbounded() -> Iterator[None]:
  """Lifts Pillow's own decompression-bomb limit (its MAX_IMAGE_PIXELS) inside the block: the
  cap here is checked from the header first."""
  saved = Image.MAX_IMAGE_PIXELS
  Image.MAX_IMAGE_PIXELS = None
  try:
    yield
  finally:
    Image.MAX_IMAGE_PIXELS = saved


def read_file_header(path: str) -> Header:
  """The Header of the image file at `path` (reads HEADER_BYTES, a JPEG whole); ImageFileError
  naming the file when it has none."""
  with open(path, "rb") as f:
    data = f.read(HEADER_BYTES)
    if sniff_format(data) == "jpeg":
      data += f.read()
  return read_header(data, path)


def check_file(path: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> Header:
  """`read_file_header(path)` checked against the cap: ImageFileError TOO_LARGE naming the file,
  its size and the cap when width x height > max_pixels."""
  header = read_file_header(path)
  if header.pixels > max_pixels:
    raise ImageFileError(
      TOO_LARGE, f"{path}: {too_large_message(header.width, header.height, max_pixels)}"
    )
  return header
