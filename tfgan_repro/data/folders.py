"""Image folders in the official layouts: unaligned root/trainA, trainB, testA, testB (CycleGAN)
and aligned root/train, root/test of A|B side-by-side images (pix2pix).

official: data/image_folder.py make_dataset walks each folder recursively and keeps the files with
an image extension, sorted. Every file is decoded once up front (in parallel, then remembered per
file, size and mtime) so that a corrupt file or a wrong shape is reported by name before training.
Before that, each file's width x height is read from its header (image_header) and a file over
`max_pixels` (data.max_pixels) is never decoded: an error naming it, or skipped with skip_corrupt.
"""

from __future__ import annotations

import dataclasses
import os

import tensorflow as tf
from absl import logging

from tfgan_repro.data import image_header
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS, ImageFileError, check_max_pixels

# official IMG_EXTENSIONS, less .ppm/.tif (tf.io.decode_image reads BMP, GIF, JPEG, PNG, WebP).
IMG_EXTENSIONS = (".bmp", ".jpeg", ".jpg", ".png")
DOMAINS = ("A", "B")  # official: trainA / trainB, testA / testB

# (path, size, mtime_ns) -> decoded (height, width), None when it does not decode; `_decode_shapes`.
_CHECKED: dict[tuple[str, int, int], tuple[int, int] | None] = {}


@dataclasses.dataclass(frozen=True)
class FolderListing:
  """The images of one domain folder; `skipped` lists the corrupt files and those over the pixel
  cap (data.max_pixels) left out (skip_corrupt)."""

  directory: str
  paths: tuple[str, ...]
  skipped: tuple[str, ...]


def _image_files(directory: str) -> list[str]:
  found = []
  for root, _, names in sorted(os.walk(directory)):  # official: sorted(os.walk(dir))
    found += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith(IMG_EXTENSIONS)]
  return found


def read_image(path: tf.Tensor) -> tf.Tensor:
  """File -> uint8 [H, W, 3]; grayscale is repeated to RGB, the alpha channel is dropped."""
  image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
  image.set_shape([None, None, 3])
  return image


def _decode_shapes(paths: list[str]) -> list[tuple[int, int] | None]:
  """(height, width) of each file, None where it does not decode; new files are decoded in
  parallel, failures dropped by tf.data."""
  keys = []
  for p in paths:
    st = os.stat(p)
    keys.append((p, st.st_size, st.st_mtime_ns))
  todo = [k[0] for k in keys if k not in _CHECKED]
  if todo:
    ok = (
      tf.data.Dataset.from_tensor_slices(todo)
      .map(lambda p: (p, tf.shape(read_image(p))[:2]), num_parallel_calls=tf.data.AUTOTUNE)
      .ignore_errors()
    )
    good = {p.decode(): (int(h), int(w)) for p, (h, w) in ok.as_numpy_iterator()}
    for k in keys:
      if k[0] in todo:
        _CHECKED[k] = good.get(k[0])
  return [_CHECKED[k] for k in keys]


def _decodable(paths: list[str]) -> list[bool]:
  return [shape is not None for shape in _decode_shapes(paths)]


def _too_large(paths: list[str], max_pixels: int) -> dict[str, str]:
  """path -> "too large: W x H = N pixels > cap M" for the files whose header (image_header,
  read before decoding) gives more than `max_pixels` pixels; unreadable headers are left to the
  decoder."""
  large = {}
  for p in paths:
    try:
      header = image_header.read_file_header(p)
    except (ImageFileError, OSError):
      continue
    if header.pixels > max_pixels:
      large[p] = image_header.too_large_message(header.width, header.height, max_pixels)
  return large


def _checked(
  directory: str, paths: list[str], skip_corrupt: bool, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[tuple[str, ...], list]:
  """(decodable paths, skipped paths) of `directory`: files over the pixel cap (from the header,
  never decoded) and files that do not decode; raises on either unless skip_corrupt, and when
  nothing is left."""
  large = _too_large(paths, check_max_pixels(max_pixels))
  if large and not skip_corrupt:
    path, why = next(iter(large.items()))
    raise ValueError(
      f"image file {path!r} is {why} (data.max_pixels; {len(large)} such file(s) in "
      f"{directory!r}); set data.skip_corrupt=True to skip them"
    )
  rest = [p for p in paths if p not in large]
  corrupt = [p for p, ok in zip(rest, _decodable(rest), strict=True) if not ok]
  if corrupt and not skip_corrupt:
    raise ValueError(
      f"cannot decode image file {corrupt[0]!r} ({len(corrupt)} corrupt file(s) in {directory!r}); "
      "set data.skip_corrupt=True to skip them"
    )
  if large:
    logging.warning(
      "skipped %d image file(s) over the pixel cap in %s: %s", len(large), directory, large
    )
  if corrupt:
    logging.warning("skipped %d corrupt image file(s) in %s: %s", len(corrupt), directory, corrupt)
  bad = set(corrupt) | set(large)
  kept = tuple(p for p in paths if p not in bad)
  skipped = [p for p in paths if p in bad]
  if not kept:
    raise ValueError(
      f"no images in {directory!r}: accepted extensions are {', '.join(IMG_EXTENSIONS)} "
      f"(any case){f'; {len(skipped)} corrupt or too large file(s) skipped' if skipped else ''}"
    )
  return kept, skipped


def list_domain(
  root: str,
  split: str,
  domain: str,
  *,
  skip_corrupt: bool = False,
  max_pixels: int = DEFAULT_MAX_PIXELS,
) -> FolderListing:
  """Lists and checks root/{split}{domain}; raises ValueError naming what is missing or corrupt."""
  if domain not in DOMAINS:
    raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
  if not os.path.isdir(root):
    raise ValueError(f"data path {root!r} is not a directory (expected root/{split}{domain})")
  directory = os.path.join(root, f"{split}{domain}")
  if not os.path.isdir(directory):
    raise ValueError(
      f"folder {directory!r} not found: the official layout is root/trainA, trainB, testA, "
      f"testB; {root!r} contains {sorted(os.listdir(root))}"
    )
  kept, corrupt = _checked(directory, _image_files(directory), skip_corrupt, max_pixels)
  return FolderListing(directory=directory, paths=kept, skipped=tuple(corrupt))


def list_images(
  root: str, split: str, *, skip_corrupt: bool = False, max_pixels: int = DEFAULT_MAX_PIXELS
) -> FolderListing:
  """Lists and checks every image under root/{split} (recursively) when root has a "train" or
  "test" folder, else every image under root for either split (one unsplit set of images)."""
  if not os.path.isdir(root):
    raise ValueError(f"data path {root!r} is not a directory")
  split_layout = any(os.path.isdir(os.path.join(root, s)) for s in ("train", "test"))
  directory = os.path.join(root, split) if split_layout else root
  if not os.path.isdir(directory):
    raise ValueError(
      f"folder {directory!r} not found: {root!r} holds split folders "
      f"{sorted(os.listdir(root))}, so each split needs root/{split}"
    )
  kept, corrupt = _checked(directory, _image_files(directory), skip_corrupt, max_pixels)
  return FolderListing(directory=directory, paths=kept, skipped=tuple(corrupt))


def list_aligned(
  root: str, split: str, *, skip_corrupt: bool = False, max_pixels: int = DEFAULT_MAX_PIXELS
) -> FolderListing:
  """Lists and checks root/{split} of aligned A|B images (official AlignedDataset: A is the left
  half, B the right half of each file); raises ValueError naming a missing folder, a corrupt file
  or a file whose width is not an even number >= 2 (two halves of one size)."""
  if not os.path.isdir(root):
    raise ValueError(f"data path {root!r} is not a directory (expected root/{split})")
  directory = os.path.join(root, split)
  if not os.path.isdir(directory):
    raise ValueError(
      f"folder {directory!r} not found: the official aligned layout is root/train, root/test "
      f"(each image A|B side by side); {root!r} contains {sorted(os.listdir(root))}"
    )
  kept, corrupt = _checked(directory, _image_files(directory), skip_corrupt, max_pixels)
  for path, (height, width) in zip(kept, _decode_shapes(list(kept)), strict=True):
    if width < 2 or width % 2:
      raise ValueError(
        f"aligned image {path!r} is {width}x{height} (width x height): expected A|B side by side, "
        "an even width (official datasets: 2 * height, e.g. 512x256)"
      )
  return FolderListing(directory=directory, paths=kept, skipped=tuple(corrupt))


def read_aligned_half(path: tf.Tensor, half: int) -> tf.Tensor:
  """uint8 [H, W/2, 3]: the left (half 0, domain A) or right (half 1, B) half of an A|B file."""
  image = read_image(path)
  w2 = tf.shape(image)[1] // 2  # official: w2 = int(w / 2)
  return image[:, half * w2 : (half + 1) * w2]


# Official pix2pixHD AlignedDataset folders per split: {phase}_label, {phase}_inst, {phase}_img.
PIX2PIXHD_PARTS = ("label", "inst", "img")


def list_pix2pixhd(
  root: str, split: str, *, skip_corrupt: bool = False, max_pixels: int = DEFAULT_MAX_PIXELS
) -> dict[str, FolderListing]:
  """Lists and checks root/{split}_label, {split}_inst and {split}_img (official pix2pixHD
  layout; files paired by sorted order as official make_dataset + sorted); raises ValueError
  naming a missing folder, a corrupt file or folders of different lengths / file names."""
  if not os.path.isdir(root):
    raise ValueError(f"data path {root!r} is not a directory (expected root/{split}_label, ...)")
  listings = {}
  for part in PIX2PIXHD_PARTS:
    directory = os.path.join(root, f"{split}_{part}")
    if not os.path.isdir(directory):
      raise ValueError(
        f"folder {directory!r} not found: the official pix2pixHD layout is root/train_label, "
        f"train_inst, train_img (test_*); {root!r} contains {sorted(os.listdir(root))}"
      )
    kept, corrupt = _checked(directory, _image_files(directory), skip_corrupt, max_pixels)
    listings[part] = FolderListing(directory=directory, paths=kept, skipped=tuple(corrupt))
  counts = {part: len(listing.paths) for part, listing in listings.items()}
  if len(set(counts.values())) != 1:
    raise ValueError(f"pix2pixHD folders of split {split!r} differ in length: {counts}")
  return listings


def read_ids(path: tf.Tensor) -> tf.Tensor:
  """int32 [H, W, 1]: an 8- or 16-bit single-channel PNG of ids as stored (Cityscapes labelIds,
  16-bit instanceIds), not rescaled (the PNG header's bit depth picks the decoder)."""
  contents = tf.io.read_file(path)
  depth = tf.io.decode_raw(tf.strings.substr(contents, 24, 1), tf.uint8)[0]  # IHDR bit depth
  wide = lambda: tf.cast(tf.io.decode_png(contents, channels=1, dtype=tf.uint16), tf.int32)  # noqa: E731
  narrow = lambda: tf.cast(tf.io.decode_png(contents, channels=1), tf.int32)  # noqa: E731
  return tf.cond(depth == 16, wide, narrow)
