"""TensorFlow Datasets sources: unpaired `cycle_gan/*`, paired (label map, photo) datasets and
plain image datasets (`load_images`: mnist, cifar10, celeb_a, lsun/*).

tfds cycle_gan/<name> (e.g. horse2zebra) has splits trainA, trainB, testA, testB and features
"image" (uint8 [H, W, 3]) and "label"; the images are those of the official download script.
Its `facades` and `maps` are the pix2pix datasets split into two folders with no pairing kept, and
tfds has no builder of the official pix2pix aligned datasets (facades, maps, edges2shoes, ...):
those load from a folder (source "aligned_folder"). The paired builders are in `PAIRED`.
"""

from __future__ import annotations

import dataclasses

import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_repro.data.labels import CITYSCAPES, LabelSpec


@dataclasses.dataclass(frozen=True)
class PairedBuilder:
  """Where a paired tfds dataset keeps domain A (a label map when `labels`) and B, per split."""

  feature_a: str
  feature_b: str
  splits: dict[str, str]  # our split -> tfds split
  labels: LabelSpec | None


PAIRED = {
  # Needs the user's manual download (leftImg8bit_trainvaltest.zip, gtFine_trainvaltest.zip in
  # tfds' manual_dir); test labels are not public, so "test" is Cityscapes' validation split.
  "cityscapes/semantic_segmentation": PairedBuilder(
    "segmentation_label", "image_left", {"train": "train", "test": "validation"}, CITYSCAPES
  ),
}


def load_domain(
  name: str, split: str, domain: str, data_dir: str = ""
) -> tuple[tf.data.Dataset, int]:
  """(images uint8 [H, W, 3] in stored order, count) of split `{split}{domain}` of tfds `name`.

  `data_dir` "" uses the tfds default (~/tensorflow_datasets). Nothing is downloaded: offline
  machines need the dataset prepared there beforehand.
  """
  ds = tfds.load(name, split=f"{split}{domain}", data_dir=data_dir or None, shuffle_files=False)
  image_spec = ds.element_spec.get("image") if isinstance(ds.element_spec, dict) else None
  if image_spec is None or image_spec.dtype != tf.uint8 or image_spec.shape[-1] != 3:
    raise ValueError(
      f"tfds dataset {name!r} must have an 'image' feature uint8 [H, W, 3]; got {ds.element_spec}"
    )
  count = int(ds.cardinality())
  if count < 0:  # unknown cardinality: count once
    count = int(ds.reduce(0, lambda n, _: n + 1))
  return ds.map(lambda ex: ex["image"], num_parallel_calls=tf.data.AUTOTUNE), count


def paired_builder(name: str) -> PairedBuilder:
  if name not in PAIRED:
    raise ValueError(f"no paired tfds dataset {name!r}; valid: {', '.join(sorted(PAIRED))}")
  return PAIRED[name]


def load_paired(
  name: str, split: str, domain: str, data_dir: str = ""
) -> tuple[tf.data.Dataset, int]:
  """(domain A or B of split `split` of the paired tfds dataset `name` in stored order, count).

  A label map comes as int32 [H, W, 2] (class id, instance id 0), an image as uint8 [H, W, 3].
  """
  builder = paired_builder(name)
  if split not in builder.splits:
    raise ValueError(f"split must be one of {sorted(builder.splits)}, got {split!r}")
  ds = tfds.load(name, split=builder.splits[split], data_dir=data_dir or None, shuffle_files=False)
  count = int(ds.cardinality())
  if count < 0:  # unknown cardinality: count once
    count = int(ds.reduce(0, lambda n, _: n + 1))
  if domain == "B":
    return ds.map(lambda ex: ex[builder.feature_b], num_parallel_calls=tf.data.AUTOTUNE), count

  def label_map(ex: dict) -> tf.Tensor:
    ids = tf.cast(ex[builder.feature_a][..., :1], tf.int32)  # [H, W, 1]
    return tf.concat([ids, tf.zeros_like(ids)], axis=-1)  # [H, W, 2]: no instance ids

  return ds.map(label_map, num_parallel_calls=tf.data.AUTOTUNE), count


# Where a tfds dataset has no "test" split, its held-out images are "validation" (lsun/*:
# train and validation only).
_HELD_OUT = ("test", "validation")


def _image_split(builder: tfds.core.DatasetBuilder, split: str) -> str:
  """tfds split of our `split`: "train" as is; "test", else "validation" when the builder lists
  its splits without "test"."""
  known = set(builder.info.splits.keys())  # empty while mocked (tfds.testing.mock_data)
  if split == "train" or not known:
    return split
  for candidate in _HELD_OUT:
    if candidate in known:
      return candidate
  raise ValueError(f"tfds dataset {builder.name!r} has no held-out split; splits: {sorted(known)}")


def load_images(name: str, split: str, data_dir: str = "") -> tuple[tf.data.Dataset, int, int]:
  """((image uint8 [H, W, 3], label int32) in stored order, count, number of classes) of tfds
  `name` (mnist, cifar10, celeb_a, lsun/bedroom, stanford_dogs, ...): its "image" feature,
  grayscale repeated to RGB; its "label" class (0 classes and label -1 where it has none).

  Nothing is downloaded: offline machines need the dataset prepared beforehand.
  """
  builder = tfds.builder(name, data_dir=data_dir or None)
  ds = builder.as_dataset(split=_image_split(builder, split), shuffle_files=False)
  spec = ds.element_spec
  image_spec = spec.get("image") if isinstance(spec, dict) else None
  if image_spec is None or image_spec.dtype != tf.uint8 or image_spec.shape[-1] not in (1, 3):
    raise ValueError(
      f"tfds dataset {name!r} must have an 'image' feature uint8 [H, W, 1 or 3]; got {spec}"
    )
  label_feature = builder.info.features["label"] if "label" in spec else None
  num_classes = int(getattr(label_feature, "num_classes", 0) or 0)

  def example(ex: dict) -> tuple[tf.Tensor, tf.Tensor]:
    image = ex["image"]
    if image.shape[-1] == 1:
      image = tf.image.grayscale_to_rgb(image)  # [H, W, 3]
    label = tf.cast(ex["label"], tf.int32) if num_classes else tf.constant(-1, tf.int32)
    return image, label

  count = int(ds.cardinality())
  if count < 0:  # unknown cardinality: count once
    count = int(ds.reduce(0, lambda n, _: n + 1))
  return ds.map(example, num_parallel_calls=tf.data.AUTOTUNE), count, num_classes


# tfds' object annotations (stanford_dogs, voc, coco): the "bbox" of the "objects" sequence.
BOX_FEATURE = ("objects", "bbox")


def load_boxes(name: str, split: str, data_dir: str = "") -> tf.data.Dataset:
  """float32 [4] per image of tfds `name` in the stored order of `load_images`: the first of its
  BOX_FEATURE boxes (stanford_dogs: the annotated dog), normalised [ymin, xmin, ymax, xmax] as
  tfds' BBoxFeature; the whole image [0, 0, 1, 1] where an image has no box. The images are not
  decoded. A dataset without the feature is a ValueError naming it."""
  builder = tfds.builder(name, data_dir=data_dir or None)
  ds = builder.as_dataset(
    split=_image_split(builder, split),
    shuffle_files=False,
    decoders={"image": tfds.decode.SkipDecoding()},
  )
  objects = ds.element_spec.get(BOX_FEATURE[0]) if isinstance(ds.element_spec, dict) else None
  if not isinstance(objects, dict) or BOX_FEATURE[1] not in objects:
    raise ValueError(
      f"tfds dataset {name!r} has no bounding boxes (feature {'/'.join(BOX_FEATURE)}), which "
      f"data.bbox_crop needs; its features: {sorted(ds.element_spec)}"
    )

  def first_box(ex: dict) -> tf.Tensor:
    boxes = tf.reshape(tf.cast(ex[BOX_FEATURE[0]][BOX_FEATURE[1]], tf.float32), [-1, 4])  # [K, 4]
    whole = tf.constant([[0.0, 0.0, 1.0, 1.0]])  # [1, 4]: the image where there is no box
    return tf.concat([boxes, whole], axis=0)[0]

  return ds.map(first_box, num_parallel_calls=tf.data.AUTOTUNE)
