"""Image folders in the official layout: root/trainA, root/trainB, root/testA, root/testB.

official: data/image_folder.py make_dataset walks each domain folder recursively and keeps the
files with an image extension, sorted. Every file is decoded once up front (in parallel, then
remembered per file, size and mtime) so that a corrupt file is reported by name before training.
"""

from __future__ import annotations

import dataclasses
import os

import tensorflow as tf
from absl import logging

# official IMG_EXTENSIONS, less .ppm/.tif (tf.io.decode_image reads BMP, GIF, JPEG, PNG, WebP).
IMG_EXTENSIONS = (".bmp", ".jpeg", ".jpg", ".png")
DOMAINS = ("A", "B")  # official: trainA / trainB, testA / testB

# (path, size, mtime_ns) -> decodes; filled by `_decodable`.
_CHECKED: dict[tuple[str, int, int], bool] = {}


@dataclasses.dataclass(frozen=True)
class FolderListing:
  """The images of one domain folder; `skipped` lists corrupt files left out (skip_corrupt)."""

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


def _decodable(paths: list[str]) -> list[bool]:
  """Whether each file decodes; new files are decoded in parallel, failures dropped by tf.data."""
  keys = []
  for p in paths:
    st = os.stat(p)
    keys.append((p, st.st_size, st.st_mtime_ns))
  todo = [k[0] for k in keys if k not in _CHECKED]
  if todo:
    ok = (
      tf.data.Dataset.from_tensor_slices(todo)
      .map(lambda p: (p, tf.shape(read_image(p))), num_parallel_calls=tf.data.AUTOTUNE)
      .ignore_errors()
    )
    good = {p.decode() for p, _ in ok.as_numpy_iterator()}
    for k in keys:
      if k[0] in todo:
        _CHECKED[k] = k[0] in good
  return [_CHECKED[k] for k in keys]


def list_domain(root: str, split: str, domain: str, *, skip_corrupt: bool = False) -> FolderListing:
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
  paths = _image_files(directory)
  corrupt = [p for p, ok in zip(paths, _decodable(paths), strict=True) if not ok]
  if corrupt and not skip_corrupt:
    raise ValueError(
      f"cannot decode image file {corrupt[0]!r} ({len(corrupt)} corrupt file(s) in {directory!r}); "
      "set data.skip_corrupt=True to skip them"
    )
  if corrupt:
    logging.warning("skipped %d corrupt image file(s) in %s: %s", len(corrupt), directory, corrupt)
  bad = set(corrupt)
  kept = tuple(p for p in paths if p not in bad)
  if not kept:
    raise ValueError(
      f"no images in {directory!r}: accepted extensions are {', '.join(IMG_EXTENSIONS)} "
      f"(any case){f'; {len(corrupt)} corrupt file(s) skipped' if corrupt else ''}"
    )
  return FolderListing(directory=directory, paths=kept, skipped=tuple(corrupt))
