"""Per-image transforms of the official CycleGAN / pix2pix `get_transform` (data/base_dataset.py).

Images travel as uint8 [H, W, 3] (what PIL hands to torchvision in the official code) until
`to_float` maps them to float32 in [-1, 1] (official: ToTensor then Normalize((0.5,) * 3, (0.5,) * 3)).
Label maps travel as int32 [H, W, 2] (class id, instance id), are resized with nearest neighbours
and end as one-hot channels (`one_hot`, pix2pixHD) or palette colours (`colorize`).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

POWER_2_BASE = 4  # official: __make_power_2(img, base=4) for --preprocess none


def _to_uint8(image: tf.Tensor) -> tf.Tensor:
  return tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)


def resize_bicubic(image: tf.Tensor, height: tf.Tensor | int, width: tf.Tensor | int) -> tf.Tensor:
  """uint8 [H, W, 3] -> uint8 [height, width, 3] (official: transforms.Resize(..., BICUBIC)).

  PIL's BICUBIC widens the kernel when shrinking; `antialias=True` does the same (mean abs
  difference to PIL ~0.15 levels, against ~1-35 levels without it).
  """
  resized = tf.image.resize(
    tf.cast(image, tf.float32), tf.stack([height, width]), method="bicubic", antialias=True
  )
  return _to_uint8(resized)


def resize_nearest(labels: tf.Tensor, height: tf.Tensor | int, width: tf.Tensor | int) -> tf.Tensor:
  """Integer label map [H, W, C] -> [height, width, C], same dtype: nearest neighbour (pix2pixHD
  resizes label and instance maps with Image.NEAREST), so no pixel gets a class in between."""
  return tf.image.resize(labels, tf.stack([height, width]), method="nearest")


def resize(
  image: tf.Tensor, height: tf.Tensor | int, width: tf.Tensor | int, labels: bool
) -> tf.Tensor:
  """`resize_nearest` for label maps, else `resize_bicubic`."""
  return (resize_nearest if labels else resize_bicubic)(image, height, width)


def make_power_2(image: tf.Tensor, labels: bool = False) -> tf.Tensor:
  """Rounds each side to a multiple of 4, resizing only when needed (official: --preprocess none)."""
  shape = tf.shape(image)
  height = tf.cast(tf.round(shape[0] / POWER_2_BASE), tf.int32) * POWER_2_BASE
  width = tf.cast(tf.round(shape[1] / POWER_2_BASE), tf.int32) * POWER_2_BASE
  same = tf.logical_and(tf.equal(height, shape[0]), tf.equal(width, shape[1]))
  return tf.cond(same, lambda: image, lambda: resize(image, height, width, labels))


def random_crop_flip(
  image: tf.Tensor, crop_size: int | None, flip: bool, seed: tf.Tensor
) -> tf.Tensor:
  """Random crop_size x crop_size crop (none when crop_size is None), then a random horizontal flip.

  official: transforms.RandomCrop(--crop_size) unless --preprocess none,
  transforms.RandomHorizontalFlip() unless --no_flip. `seed` is a stateless seed [2]: the same
  seed gives the same crop and flip. Any channel count: a stack of aligned maps (e.g. label map
  and photo concatenated on channels) is cropped and flipped as one.
  """
  crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
  if crop_size is not None:
    channels = image.shape[-1] if image.shape[-1] is not None else tf.shape(image)[-1]
    size = tf.stack([crop_size, crop_size, channels])
    image = tf.image.stateless_random_crop(image, size, seed=crop_seed)
  if flip:
    image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
  return image


def center_crop(image: tf.Tensor, crop_size: int) -> tf.Tensor:
  """The central crop_size x crop_size window (the deterministic eval form of RandomCrop)."""
  shape = tf.shape(image)
  top = (shape[0] - crop_size) // 2
  left = (shape[1] - crop_size) // 2
  return image[top : top + crop_size, left : left + crop_size]


def to_float(image: tf.Tensor) -> tf.Tensor:
  """uint8 -> float32 in [-1, 1]: x / 127.5 - 1 (official: ToTensor, Normalize(0.5, 0.5))."""
  return tf.cast(image, tf.float32) / 127.5 - 1.0


def to_uint8(images: np.ndarray | tf.Tensor) -> np.ndarray:
  """float in [-1, 1] -> uint8 in 0..255, the inverse of `to_float`.

  The official util.tensor2im computes (x + 1) / 2 * 255 and truncates; this rounds, so that
  to_uint8(to_float(v)) == v for every uint8 v.
  """
  x = np.asarray(images, np.float32)
  return np.clip(np.round((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def one_hot(labels: tf.Tensor, num_classes: int) -> tf.Tensor:
  """int [..., H, W, C] label map (class id in channel 0) -> float32 [..., H, W, num_classes] in
  {0, 1} (pix2pixHD: scatter_(1, label_map, 1.0)); ids >= num_classes get all zeros."""
  return tf.one_hot(labels[..., 0], num_classes, dtype=tf.float32)


def colorize(labels: tf.Tensor, palette: np.ndarray) -> tf.Tensor:
  """int [..., H, W, C] label map (class id in channel 0) -> float32 [..., H, W, 3] in [-1, 1]:
  the palette colour (uint8 [num_classes, 3]) of each pixel's class, as `to_float` maps images."""
  return to_float(tf.gather(tf.constant(palette, tf.uint8), labels[..., 0]))


def resize_bilinear(image: tf.Tensor, size: int) -> tf.Tensor:
  """uint8 [H, W, 3] -> uint8 [size, size, 3] (official StarGAN: T.Resize, PIL BILINEAR, which
  widens the kernel when shrinking like antialias=True)."""
  resized = tf.image.resize(tf.cast(image, tf.float32), (size, size), "bilinear", antialias=True)
  return tf.cast(tf.clip_by_value(tf.round(resized), 0.0, 255.0), tf.uint8)


def bbox_crop(image: tf.Tensor, box: tf.Tensor, margin: float, size: int) -> tf.Tensor:
  """uint8 [H, W, C] -> uint8 [size, size, C]: the square around the bounding box `box` (float
  [4], tfds' normalised [ymin, xmin, ymax, xmax]), the box first grown by `margin` times its
  height and width on each side, its short side then grown to its long side about the same
  centre, shifted inside the image and at most the image's short side; resized bilinearly
  (`resize_bilinear`). The crop of the Stanford Dogs annotations in the "Generative Dog Images"
  Kaggle notebooks (2019), squared so that the object keeps its aspect."""
  if margin < 0:
    raise ValueError(f"margin must be >= 0, got {margin!r}")
  shape = tf.shape(image)
  height, width = tf.cast(shape[0], tf.float32), tf.cast(shape[1], tf.float32)
  box = tf.cast(box, tf.float32)
  box_h, box_w = (box[2] - box[0]) * height, (box[3] - box[1]) * width
  center_y, center_x = (box[0] + box[2]) / 2 * height, (box[1] + box[3]) / 2 * width
  side = tf.minimum(
    tf.math.ceil(tf.maximum(box_h, box_w) * (1.0 + 2.0 * margin) - 1e-3),
    tf.minimum(height, width),
  )
  side = tf.maximum(side, 1.0)
  top = tf.clip_by_value(tf.round(center_y - side / 2), 0.0, height - side)
  left = tf.clip_by_value(tf.round(center_x - side / 2), 0.0, width - side)
  top, left, side = (tf.cast(v, tf.int32) for v in (top, left, side))
  return resize_bilinear(image[top : top + side, left : left + side], size)


def squared_examples(
  examples: tf.data.Dataset, stored_size: int, crop_size: int, cache: bool
) -> tf.data.Dataset:
  """(uint8 image, extra) examples centre-cropped to a square of their short side (official
  StarGAN / Fader: CenterCrop(178) of 218x178 CelebA) and resized to crop_size; as they are when
  stored at crop_size already (procedural renders, in memory); cached when `cache`."""
  if stored_size == crop_size:
    return examples

  def square(image: tf.Tensor, extra: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    side = tf.reduce_min(tf.shape(image)[:2])
    return resize_bilinear(center_crop(image, side), crop_size), extra

  ds = examples.map(square, num_parallel_calls=tf.data.AUTOTUNE)
  return ds.cache() if cache else ds
