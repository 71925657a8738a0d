"""Sharded TFRecord files of any configured image source, and the source that reads them back:
data.source "tfrecords" with data.path = the folder (its INFO_NAME says the rest).

`write_tfrecords` loads each split of data.source exactly as the pipeline does (procedural sources
render at the size the pipeline would ask for: load_size for train, crop_size for test under
resize_and_crop) and writes, into one folder:

  tfrecords.json                                  what was written (counts per split and domain,
                                                  image shapes, dataset_mode, source, shards, files)
  PREFIX-A-SPLIT.tfrecord-00000-of-000NN, ...-B-  dataset_mode "unaligned": each domain its own
                                                  files (|A| != |B|), feature "image"
  PREFIX-SPLIT.tfrecord-00000-of-000NN            "aligned": features "a", "b" (one pair a record);
                                                  "attributes": "image", "attributes" (float);
                                                  "images" / "labelled_images": "image", "label"
                                                  (int, -1 where the source has no classes)

Images are PNG (lossless): uint8, or uint16 for label maps ([H, W, 2]: class id, instance id).
Example i of a split goes to shard i mod N, so the N shards listed in name order and read with a
deterministic interleave of cycle N, block 1 give back the stored order; the pipeline's own
shuffling by (seed, epoch), augmentation, batching and resume-by-skip (pipeline.py, images.py,
attributes.py, epochs.py) then yield the same batches as the original source for the same seed.

The record dataset (`record_dataset`) carries AutoShardPolicy.FILE: distributed on its own, each
worker reads every num_workers-th shard. The training stream built on it keeps tf.data's default
policy: epochs.shuffled_epochs zips a Dataset.range with a flat_map, which the FILE rewrite cannot
walk through (it refuses RangeDataset), so a multi-worker run falls back to sharding by element.

Reading refuses a config whose dataset_mode or sizes differ from the written one (naming the JSON
and the keys), a shard whose size differs from the JSON's (before any reading), and a shard that
yields fewer records than written (a damaged record ends it; the error names the file).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro.data import attributes, images, pipeline
from tfgan_repro.data.attribute_sources import (
  ATTRIBUTE_SOURCES,
  FILE_ATTRIBUTES,
  AttributeImages,
  selected_attributes,
)
from tfgan_repro.data.config import SPLITS, resolve_data_config
from tfgan_repro.data.image_sources import IMAGE_SOURCES, LabelledImages
from tfgan_repro.data.labels import LabelSpec
from tfgan_repro.data.sources import LABEL_SOURCES, SOURCES, DomainImages, label_spec
from tfgan_repro.util.atomic import atomic_output, write_json_atomic
from tfgan_repro.util.paths import user_path

SOURCE = "tfrecords"
INFO_NAME = "tfrecords.json"
FORMAT = "tfgan_repro.tfrecords/1"
# Config keys fixing the pixels a procedural source renders (the render size of each split).
_RENDER_KEYS = {
  "unaligned": ("crop_size", "load_size", "preprocess"),
  "aligned": ("crop_size", "load_size", "preprocess"),
}
_PNG_DTYPES = {"png8": tf.uint8, "png16": tf.uint16}


# --- Writing -------------------------------------------------------------------------------------


def _shard_name(prefix: str, split: str, group: str, index: int, num_shards: int) -> str:
  stem = f"{prefix}-{group}-{split}" if group in ("A", "B") else f"{prefix}-{split}"
  return f"{stem}.tfrecord-{index:05d}-of-{num_shards:05d}"


def _groups(
  cfg: ml_collections.ConfigDict, split: str
) -> dict[str, tuple[tf.data.Dataset, list[tuple[str, str]], int, int | None, bool]]:
  """group -> (examples as tuples in field order, fields [(feature, kind)], count, size, paired)."""
  mode = cfg.dataset_mode
  if mode in ("unaligned", "aligned"):
    plain = ml_collections.ConfigDict(cfg.to_dict())
    plain.direction = "AtoB"  # the source's own domains; the reader's direction swaps them
    training = split == "train"  # rendered at the size that split is used at
    kind_a = "png16" if label_spec(cfg) is not None else "png8"
    if mode == "aligned":
      a, b = pipeline._load_pairs(plain, split, training)
      pairs = tf.data.Dataset.zip(a.images, b.images)
      return {"pairs": (pairs, [("a", kind_a), ("b", "png8")], a.count, a.size, True)}
    out = {}
    for domain, kind in (("A", kind_a), ("B", "png8")):
      d = pipeline._load(plain, split, domain, training)
      out[domain] = (d.images.map(lambda x: (x,)), [("image", kind)], d.count, d.size, d.paired)
    return out
  if mode == "attributes":
    d = attributes._load(cfg, split)
    fields = [("image", "png8"), ("attributes", "float")]
    return {"images": (d.examples, fields, d.count, d.size, False)}
  if mode in images.IMAGE_MODES:
    d = images._load(cfg, split)
    return {"images": (d.examples, [("image", "png8"), ("label", "int")], d.count, d.size, False)}
  raise ValueError(
    f"data_config.dataset_mode {mode!r} has no images to write as TFRecords (dataset_mode "
    "'points' draws 2-D points on the fly); valid: unaligned, aligned, attributes, images, "
    "labelled_images"
  )


def _encode(fields: list[tuple[str, str]]):
  """examples -> (the shape of each field's image, stacked [F, 3]; the encoded fields)."""

  def encode(*values: tf.Tensor) -> tuple[tf.Tensor, ...]:
    shapes, out = [], []
    for (_, kind), value in zip(fields, values, strict=True):
      if kind == "png16":
        shapes.append(tf.shape(value))
        value = tf.cast(value, tf.int32)
        checks = [
          tf.debugging.assert_non_negative(value, message="label ids must be >= 0"),
          tf.debugging.assert_less(value, 2**16, message="label ids must be < 65536"),
        ]
        with tf.control_dependencies(checks):
          value = tf.io.encode_png(tf.cast(value, tf.uint16))
      elif kind == "png8":
        shapes.append(tf.shape(value))
        value = tf.io.encode_png(value)
      out.append(value)
    return (tf.stack(shapes), *out)

  return encode


def _feature(kind: str, value: np.ndarray | bytes) -> tf.train.Feature:
  if kind in _PNG_DTYPES:
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))
  if kind == "float":
    return tf.train.Feature(float_list=tf.train.FloatList(value=np.ravel(value).tolist()))
  return tf.train.Feature(int64_list=tf.train.Int64List(value=np.ravel(value).tolist()))


def _write_group(
  examples: tf.data.Dataset,
  fields: list[tuple[str, str]],
  count: int,
  out_dir: str,
  names: list[str],
) -> dict[str, Any]:
  """Writes `examples` round-robin into the shards `names` (each atomically); returns the
  group's record: count, shapes (each image field's [H, W, C], None where the images differ),
  files (name, records, bytes)."""
  records = [0] * len(names)
  shapes: list[list[int | None]] | None = None
  encoded = examples.map(_encode(fields), num_parallel_calls=tf.data.AUTOTUNE)
  with contextlib.ExitStack() as stack:
    paths = [stack.enter_context(atomic_output(os.path.join(out_dir, n))) for n in names]
    writers = [stack.enter_context(tf.io.TFRecordWriter(p)) for p in paths]  # closed first
    for i, (image_shapes, *values) in enumerate(encoded.as_numpy_iterator()):
      features = {name: _feature(kind, v) for (name, kind), v in zip(fields, values, strict=True)}
      example = tf.train.Example(features=tf.train.Features(feature=features))
      writers[i % len(names)].write(example.SerializeToString())
      records[i % len(names)] += 1
      this = image_shapes.tolist()
      if shapes is None:
        shapes = this
      shapes = [
        [a if a == b else None for a, b in zip(s, t, strict=True)]
        for s, t in zip(shapes, this, strict=True)
      ]
  if sum(records) != count:
    raise ValueError(f"the source yielded {sum(records)} examples, it declared {count}")
  files = [
    {"name": n, "records": r, "bytes": os.path.getsize(os.path.join(out_dir, n))}
    for n, r in zip(names, records, strict=True)
  ]
  image_fields = [name for name, kind in fields if kind in _PNG_DTYPES]
  shapes = shapes or [[None, None, None]] * len(image_fields)
  return {
    "count": count,
    "shape": shapes[0],
    "shapes": dict(zip(image_fields, shapes, strict=True)),
    "files": files,
  }


def write_tfrecords(
  data_config: ml_collections.ConfigDict | Mapping[str, Any],
  out_dir: str,
  *,
  splits: Sequence[str] = SPLITS,
  num_shards: int = 4,
  prefix: str = "",
) -> dict[str, Any]:
  """Writes `splits` of data_config's source as `num_shards` TFRecord shards per split (and
  domain) into `out_dir`, then INFO_NAME beside them; returns what INFO_NAME holds. prefix: the
  file names' start ("" = the source's name)."""
  cfg = resolve_data_config(data_config)
  if cfg.source == SOURCE:
    raise ValueError(f"data_config.source is {SOURCE!r} already; name the source to write from")
  if not isinstance(num_shards, int | np.integer) or num_shards < 1:
    raise ValueError(f"num_shards must be an int >= 1, got {num_shards!r}")
  if not splits or any(s not in SPLITS for s in splits) or len(set(splits)) != len(splits):
    raise ValueError(f"splits must be distinct names of {SPLITS}, got {list(splits)!r}")
  prefix = prefix or cfg.source
  if os.sep in prefix or not prefix.strip():
    raise ValueError(f"prefix must be a plain file name start, got {prefix!r}")
  out_dir = user_path(out_dir)
  info: dict[str, Any] = {
    "format": FORMAT,
    "source": cfg.source,
    "dataset_mode": cfg.dataset_mode,
    "prefix": prefix,
    "shards": int(num_shards),
    "data": cfg.to_dict(),
    "splits": {},
  }
  spec = label_spec(cfg) if cfg.dataset_mode in ("unaligned", "aligned") else None
  if spec is not None:
    info["labels"] = {"classes": list(spec.classes), "palette": spec.palette.tolist()}
  if cfg.dataset_mode == "attributes":
    info["attributes"] = list(selected_attributes(cfg))
  if cfg.dataset_mode in images.IMAGE_MODES:
    info["num_classes"] = int(images._load(cfg, splits[0]).num_classes)
  for split in splits:
    info["splits"][split] = {}
    for group, (examples, fields, count, size, paired) in _groups(cfg, split).items():
      names = [_shard_name(prefix, split, group, i, num_shards) for i in range(num_shards)]
      record = _write_group(examples, fields, count, out_dir, names)
      record.update(size=size, paired=bool(paired), fields=[list(f) for f in fields])
      info["splits"][split][group] = record
  write_json_atomic(os.path.join(out_dir, INFO_NAME), info, indent=1)
  return info


# --- Reading -------------------------------------------------------------------------------------


def read_info(path: str) -> dict[str, Any]:
  """The INFO_NAME of the TFRecord folder `path` (data.path)."""
  if not path:
    raise ValueError(f"data_config.path must name the TFRecord folder for source {SOURCE!r}")
  file = os.path.join(user_path(path), INFO_NAME)
  if not os.path.isfile(file):
    raise ValueError(f"{file} not found: data.path must be a folder written by bin/write_tfrecords")
  try:
    with open(file) as f:
      info = json.load(f)
  except (OSError, json.JSONDecodeError) as e:
    raise ValueError(f"{file} is unreadable or not JSON ({e}); rewrite the folder") from e
  if not isinstance(info, dict) or info.get("format") != FORMAT:
    raise ValueError(f"{file} is not a {FORMAT} description; rewrite the folder")
  return info


def _checked_info(cfg: ml_collections.ConfigDict) -> dict[str, Any]:
  """read_info, refused naming the keys where the config differs from the config it was written
  with: dataset_mode ("images" and "labelled_images" read each other's files), crop_size, and for
  translation images rendered at the config's sizes load_size and preprocess."""
  info = read_info(cfg.path)
  written = info["data"]
  modes = {cfg.dataset_mode, written["dataset_mode"]}
  keys = [] if len(modes) == 1 or modes <= set(images.IMAGE_MODES) else ["dataset_mode"]
  rendered = any(g["size"] is not None for s in info["splits"].values() for g in s.values())
  sizes = _RENDER_KEYS.get(written["dataset_mode"], ("crop_size",)) if rendered else ("crop_size",)
  keys += [k for k in sizes if cfg[k] != written[k]]
  if keys:
    file = os.path.join(user_path(cfg.path), INFO_NAME)
    diffs = ", ".join(f"{k}: config {cfg[k]!r}, file {written[k]!r}" for k in keys)
    raise ValueError(
      f"{file} was written for another data config ({diffs}); set --config.data.{keys[0]} to "
      "the file's value or rewrite the folder with bin/write_tfrecords"
    )
  return info


def _group_info(info: dict[str, Any], path: str, split: str, group: str) -> dict[str, Any]:
  written = info["splits"]
  if split not in written:
    raise ValueError(
      f"{os.path.join(path, INFO_NAME)} has no split {split!r} (written: "
      f"{', '.join(written)}); write it with bin/write_tfrecords --splits"
    )
  return written[split][group]


def _shard_paths(path: str, group: dict[str, Any]) -> list[str]:
  """The shard files of a group, each checked present and of the size written (a truncated or
  grown file is named before any reading)."""
  paths = []
  for f in group["files"]:
    file = os.path.join(path, f["name"])
    if not os.path.isfile(file):
      raise ValueError(f"TFRecord shard {file} is missing; rewrite the folder")
    size = os.path.getsize(file)
    if size != f["bytes"]:
      raise ValueError(
        f"TFRecord shard {file} is truncated or corrupt: {size} bytes, {INFO_NAME} records "
        f"{f['bytes']}; rewrite the folder with bin/write_tfrecords"
      )
    paths.append(file)
  return paths


def _pattern(info: dict[str, Any], split: str, group: str) -> str:
  name = _shard_name(info["prefix"], split, group, 0, info["shards"])
  return name.replace("-00000-of-", "-?????-of-")


def _shard_records(file: tf.Tensor, count: int, num_shards: int) -> tf.data.Dataset:
  """The records of one shard file. A damaged record (checksum or length) ends the file (tf.data
  moves to the next file after a read error), and its short count then fails naming the file; a
  shard's count follows from its index (example i in shard i mod num_shards)."""
  index = tf.strings.to_number(tf.strings.substr(file, -14, 5), tf.int64)  # NAME-IIIII-of-NNNNN
  expected = count // num_shards + tf.cast(index < count % num_shards, tf.int64)
  records = tf.data.TFRecordDataset(file).ignore_errors()
  end = tf.data.Dataset.from_tensors((tf.constant(""), True))
  marked = records.map(lambda r: (r, False)).concatenate(end)

  def counted(n: tf.Tensor, item: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tuple]:
    record, last = item
    check = tf.debugging.Assert(
      tf.logical_or(tf.logical_not(last), tf.equal(n, expected)),
      ["TFRecord shard", file, "is corrupt or unreadable: read", n, "of its", expected, "records"],
    )
    with tf.control_dependencies([check]):
      return n + 1, (tf.identity(record), last)

  checked = marked.scan(tf.constant(0, tf.int64), counted)
  return checked.filter(lambda r, last: tf.logical_not(last)).map(lambda r, last: r)


def record_dataset(
  path: str, split: str, group: str, *, seed: int | None = None
) -> tf.data.Dataset:
  """Serialized tf.train.Example records of one split and group ("A" / "B" unaligned, "pairs"
  aligned, "images" otherwise) of the folder `path`: Dataset.list_files of its shards (name
  order with seed None, which keeps the written order; shuffled by `seed` otherwise), read by a
  deterministic parallel interleave, with AutoShardPolicy.FILE (workers split the shards). A
  damaged record fails naming its file."""
  path = user_path(path)
  info = read_info(path)
  g = _group_info(info, path, split, group)
  files = _shard_paths(path, g)
  pattern = os.path.join(path, _pattern(info, split, group))
  listed = tf.data.Dataset.list_files(pattern, shuffle=seed is not None, seed=seed)
  if int(listed.cardinality()) != len(files):
    raise ValueError(
      f"{pattern} matches {int(listed.cardinality())} files, {INFO_NAME} names {len(files)}"
    )
  records = listed.interleave(
    lambda file: _shard_records(file, g["count"], len(files)),
    cycle_length=len(files),  # with block 1: example i of shard i mod N in turn, the written order
    block_length=1,
    num_parallel_calls=tf.data.AUTOTUNE,
    deterministic=True,
  )
  options = tf.data.Options()
  options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.FILE
  return records.with_options(options)


def _decoded(
  cfg: ml_collections.ConfigDict, split: str, group: str, wanted: Sequence[str]
) -> tuple[tf.data.Dataset, dict[str, Any]]:
  """(the `wanted` features of each record, decoded: images uint8 or label maps int32; the group's
  record in INFO_NAME); decoded in parallel, prefetched, and cached when the images have one
  size and data.cache (else the pipeline caches them once resized)."""
  info = _checked_info(cfg)
  path = user_path(cfg.path)
  g = _group_info(info, path, split, group)
  kinds = dict((name, kind) for name, kind in g["fields"])
  num_attributes = len(info.get("attributes", []))
  spec = {
    name: tf.io.FixedLenFeature([num_attributes], tf.float32)
    if kinds[name] == "float"
    else tf.io.FixedLenFeature([], tf.int64 if kinds[name] == "int" else tf.string)
    for name in wanted
  }

  def decode(record: tf.Tensor) -> tuple[tf.Tensor, ...]:
    parsed = tf.io.parse_single_example(record, spec)
    out = []
    for name in wanted:
      kind, value = kinds[name], parsed[name]
      if kind in _PNG_DTYPES:
        shape = g["shapes"][name]
        channels = shape[2] if shape[2] in (1, 3, 4) else 0  # 0: as stored (label maps: 2)
        value = tf.io.decode_png(value, channels=channels, dtype=_PNG_DTYPES[kind])
        value.set_shape(shape)  # [H, W, C]
        value = tf.cast(value, tf.int32) if kind == "png16" else value
      elif kind == "int":
        value = tf.cast(value, tf.int32)
      out.append(value)
    return tuple(out)

  ds = record_dataset(path, split, group).map(decode, num_parallel_calls=tf.data.AUTOTUNE)
  ds = ds.prefetch(tf.data.AUTOTUNE)
  if cfg.cache and g["size"] is not None:
    ds = ds.cache()
  return ds, g


@SOURCES.register(SOURCE)
def _domain(cfg: ml_collections.ConfigDict, split: str, domain: str, size: int) -> DomainImages:
  """Domain A or B of a split written in dataset_mode "unaligned" or "aligned"."""
  del size  # stored images
  info = _checked_info(cfg)
  if info["dataset_mode"] == "aligned":
    ds, g = _decoded(cfg, split, "pairs", ["a" if domain == "A" else "b"])
  else:
    ds, g = _decoded(cfg, split, domain, ["image"])
  images_ds = ds.map(lambda x: x)  # 1-tuples -> images
  return DomainImages(images_ds, g["count"], g["size"], g["paired"])


def _labels(cfg: ml_collections.ConfigDict) -> LabelSpec | None:
  labels = read_info(cfg.path).get("labels")
  if labels is None:
    return None
  return LabelSpec(tuple(labels["classes"]), np.array(labels["palette"], np.uint8))


LABEL_SOURCES[SOURCE] = _labels
FILE_ATTRIBUTES[SOURCE] = lambda cfg: tuple(_checked_info(cfg).get("attributes", ()))


@ATTRIBUTE_SOURCES.register(SOURCE)
def _attribute_images(
  cfg: ml_collections.ConfigDict, split: str, names: tuple[str, ...], size: int
) -> AttributeImages:
  """(image, attributes) of a split written in dataset_mode "attributes"; `names` picks and orders
  the attribute columns. No true edits (the procedural renderer is not stored)."""
  del size  # stored images
  stored = _checked_info(cfg)["attributes"]
  columns = [stored.index(n) for n in names]
  ds, g = _decoded(cfg, split, "images", ["image", "attributes"])
  ds = ds.map(lambda x, a: (x, tf.gather(a, columns)))
  return AttributeImages(ds, g["count"], g["size"], None)


@IMAGE_SOURCES.register(SOURCE)
def _labelled_images(cfg: ml_collections.ConfigDict, split: str, size: int) -> LabelledImages:
  """(image, label) of a split written in dataset_mode "images" or "labelled_images"."""
  del size  # stored images
  info = _checked_info(cfg)
  ds, g = _decoded(cfg, split, "images", ["image", "label"])
  return LabelledImages(ds, g["count"], g["size"], int(info["num_classes"]))


def verify_tfrecords(path: str) -> dict[str, int]:
  """Reads every record of every shard of the folder `path` (checksums included); returns the
  records per shard file name, or raises ValueError naming the first bad file."""
  path = user_path(path)
  info = read_info(path)
  counts = {}
  for groups in info["splits"].values():
    for g in groups.values():
      for file, f in zip(_shard_paths(path, g), g["files"], strict=True):
        try:
          n = sum(1 for _ in tf.data.TFRecordDataset(file))
        except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as e:
          raise ValueError(f"TFRecord shard {file} is corrupt: {e.message}") from e
        if n != f["records"]:
          raise ValueError(
            f"TFRecord shard {file} holds {n} records, {INFO_NAME} records {f['records']}"
          )
        counts[f["name"]] = n
  return counts
