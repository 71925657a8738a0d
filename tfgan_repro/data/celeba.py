"""CelebA with its 40 binary attributes: the tfds builder `celeb_a` and the official folder layout.

The folder (source "celeba_folder") is CelebA's download: root/img_align_celeba/*.jpg (218x178
aligned faces), root/list_attr_celeba.txt (line 1 the image count, line 2 the 40 attribute names,
then one row per image: "000001.jpg -1  1  1 -1 ...", 1 = present) and optionally
root/list_eval_partition.txt ("000001.jpg 0": 0 train, 1 validation, 2 test). Without the
partition file the split is the official StarGAN one (data_loader.py CelebA.preprocess).
"""

from __future__ import annotations

import dataclasses
import os
import random

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

# list_attr_celeba.txt line 2 (= tfds celeb_a ATTR_HEADINGS), in file order.
ATTRIBUTES = tuple(
  "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose "
  "Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee "
  "Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard "
  "Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair "
  "Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie "
  "Young".split()
)
TFDS_NAME = "celeb_a"  # tfds builder: image uint8 [218, 178, 3], attributes {name: bool}
TFDS_SPLITS = {"train": "train", "test": "test"}  # tfds also has "validation" (partition 1)
IMAGE_DIR = "img_align_celeba"
ATTRIBUTE_FILE = "list_attr_celeba.txt"
PARTITION_FILE = "list_eval_partition.txt"
PARTITIONS = {"train": 0, "test": 2}  # list_eval_partition.txt: 0 train, 1 validation, 2 test
# official StarGAN data_loader.py: random.seed(1234); random.shuffle(lines); the lines with
# (i + 1) < 2000 are the test set, so it holds 1999 images.
OFFICIAL_SHUFFLE_SEED = 1234
OFFICIAL_TEST_IMAGES = 1999


@dataclasses.dataclass(frozen=True)
class CelebAListing:
  """The images of one split of a CelebA folder and their attributes."""

  paths: tuple[str, ...]
  attributes: np.ndarray  # int32 [N, A] in {0, 1}, A = the selected names in their order


def read_attribute_names(root: str) -> tuple[str, ...]:
  """The attribute names of root/list_attr_celeba.txt (its line 2), in file order."""
  path = os.path.join(root, ATTRIBUTE_FILE)
  lines = _read_lines(path, 2)
  return _header(path, lines)[1]


def _read_lines(path: str, limit: int | None = None) -> list[str]:
  if not os.path.isfile(path):
    parent = os.path.dirname(path)
    found = sorted(os.listdir(parent)) if os.path.isdir(parent) else "no such directory"
    raise ValueError(f"CelebA file {path!r} not found; {parent!r} contains {found}")
  with open(path) as f:
    lines = []
    for line in f:
      lines.append(line.rstrip())  # official: [line.rstrip() for line in open(attr_path)]
      if limit is not None and len(lines) == limit:
        break
  return lines


def _header(path: str, lines: list[str]) -> tuple[int, tuple[str, ...]]:
  """(declared image count, attribute names) from lines 1 and 2 of list_attr_celeba.txt."""
  if len(lines) < 2 or not lines[0].strip().isdigit():
    raise ValueError(
      f"{path!r} line 1 must be the image count (CelebA's list_attr_celeba.txt format: count, "
      f"then the attribute names, then one row per image), got {lines[0] if lines else ''!r}"
    )
  names = tuple(lines[1].split())
  if not names or len(set(names)) != len(names):
    raise ValueError(f"{path!r} line 2 must list distinct attribute names, got {lines[1]!r}")
  return int(lines[0]), names


def _parse_rows(path: str, lines: list[str], names: tuple[str, ...]) -> list[tuple[int, str, list]]:
  """(line number, file name, values) per image row; raises naming the line and attribute."""
  rows = []
  for number, line in enumerate(lines[2:], start=3):
    if not line.strip():
      continue
    fields = line.split()
    if len(fields) != len(names) + 1:
      raise ValueError(
        f"{path!r} line {number}: expected a file name and {len(names)} values, got "
        f"{len(fields) - 1} values: {line[:80]!r}"
      )
    for name, value in zip(names, fields[1:], strict=True):
      if value not in ("1", "-1"):
        raise ValueError(f"{path!r} line {number}: attribute {name} is {value!r}, not 1 or -1")
    rows.append((number, fields[0], fields[1:]))
  return rows


def _partition(root: str) -> dict[str, int]:
  """file name -> partition (0 train, 1 validation, 2 test) of root/list_eval_partition.txt."""
  path = os.path.join(root, PARTITION_FILE)
  partition = {}
  for number, line in enumerate(_read_lines(path), start=1):
    fields = line.split()
    if not fields:
      continue
    if len(fields) != 2 or fields[1] not in ("0", "1", "2"):
      raise ValueError(
        f"{path!r} line {number}: expected '<file name> <0|1|2>' (train, validation, test), "
        f"got {line[:80]!r}"
      )
    partition[fields[0]] = int(fields[1])
  return partition


def list_folder(root: str, split: str, names: tuple[str, ...]) -> CelebAListing:
  """The images of `split` ("train" | "test") of the CelebA folder `root`, in the order the
  pipeline evaluates them, with the attributes `names` (official: values[idx] == '1').

  With list_eval_partition.txt: the rows of that partition in attribute-file order. Without: the
  official StarGAN split (the rows shuffled as random.seed(1234); random.shuffle(lines), the first
  1999 test, the rest train). Raises ValueError naming the file, line or attribute at fault.
  """
  if split not in PARTITIONS:
    raise ValueError(f"split must be one of {tuple(PARTITIONS)}, got {split!r}")
  path = os.path.join(root, ATTRIBUTE_FILE)
  lines = _read_lines(path)
  declared, file_names = _header(path, lines)
  missing = [n for n in names if n not in file_names]
  if missing:
    raise ValueError(f"attribute(s) {missing} not in {path!r}; valid: {', '.join(file_names)}")
  rows = _parse_rows(path, lines, file_names)
  if len(rows) != declared:
    raise ValueError(f"{path!r} declares {declared} images on line 1 but has {len(rows)} rows")
  if os.path.exists(os.path.join(root, PARTITION_FILE)):
    partition = _partition(root)
    unlisted = [(n, f) for n, f, _ in rows if f not in partition]
    if unlisted:
      raise ValueError(
        f"{ATTRIBUTE_FILE} line {unlisted[0][0]}: image {unlisted[0][1]!r} has no entry in "
        f"{os.path.join(root, PARTITION_FILE)!r}"
      )
    rows = [r for r in rows if partition[r[1]] == PARTITIONS[split]]
  else:
    random.Random(OFFICIAL_SHUFFLE_SEED).shuffle(rows)  # = random.seed(1234); random.shuffle
    rows = rows[:OFFICIAL_TEST_IMAGES] if split == "test" else rows[OFFICIAL_TEST_IMAGES:]
  image_dir = os.path.join(root, IMAGE_DIR)
  if not os.path.isdir(image_dir):
    raise ValueError(f"CelebA image folder {image_dir!r} not found (expected root/{IMAGE_DIR})")
  paths = tuple(os.path.join(image_dir, f) for _, f, _ in rows)
  for (number, name, _), p in zip(rows, paths, strict=True):
    if not os.path.isfile(p):
      raise ValueError(f"{path!r} line {number} lists {name!r}, but {p!r} does not exist")
  columns = [file_names.index(n) for n in names]
  values = np.array([[v[c] == "1" for c in columns] for _, _, v in rows], np.int32)
  return CelebAListing(paths, values.reshape(len(rows), len(names)))  # [N, A]


def load_tfds(
  split: str, names: tuple[str, ...], data_dir: str = ""
) -> tuple[tf.data.Dataset, int]:
  """((image uint8 [218, 178, 3], attributes float32 [A]) in stored order, count) of tfds celeb_a.

  `data_dir` "" uses the tfds default (~/tensorflow_datasets). Nothing is downloaded: offline
  machines need the dataset prepared there beforehand.
  """
  if split not in TFDS_SPLITS:
    raise ValueError(f"split must be one of {tuple(TFDS_SPLITS)}, got {split!r}")
  ds = tfds.load(
    TFDS_NAME, split=TFDS_SPLITS[split], data_dir=data_dir or None, shuffle_files=False
  )
  stored = ds.element_spec.get("attributes", {}) if isinstance(ds.element_spec, dict) else {}
  missing = [n for n in names if n not in stored]
  if missing:
    raise ValueError(
      f"tfds {TFDS_NAME!r} has no attribute(s) {missing}; valid: {', '.join(sorted(stored))}"
    )
  count = int(ds.cardinality())
  if count < 0:  # unknown cardinality: count once
    count = int(ds.reduce(0, lambda n, _: n + 1))

  def example(ex: dict) -> tuple[tf.Tensor, tf.Tensor]:
    values = [tf.cast(ex["attributes"][n], tf.float32) for n in names]
    return ex["image"], tf.stack(values)  # [A]

  return ds.map(example, num_parallel_calls=tf.data.AUTOTUNE), count
