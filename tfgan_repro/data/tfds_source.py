"""TensorFlow Datasets source: `cycle_gan/*` and any dataset with the same split and feature names.

tfds cycle_gan/<name> (e.g. horse2zebra) has splits trainA, trainB, testA, testB and features
"image" (uint8 [H, W, 3]) and "label"; the images are those of the official download script.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_datasets as tfds


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
