"""DiffAugment (Zhao et al. 2020): differentiable augmentations of D's inputs, real and fake alike.

The official mit-han-lab/data-efficient-gans `DiffAugment_tf.py`, NHWC, with stateless draws:
  color: brightness + U(-0.5, 0.5), saturation x U(0, 2) about the channel mean, contrast
    x U(0.5, 1.5) about the image mean (per example);
  translation: shifts in [-W // 8, W // 8] x [-H // 8, H // 8] (ratio 1/8), zero padding;
  cutout: a (H // 2) x (W // 2) square (ratio 1/2) zeroed, centred anywhere in the image,
    clipped at its borders.
Official use (DiffAugment-stylegan2 / biggan): the same policy on every input of D, real and fake,
in D's and G's steps, each call with its own random draws: pass each call its own seed
(`ctx.seed(salt)`).
"""

from __future__ import annotations

import tensorflow as tf

POLICIES = ("color", "translation", "cutout")
# official DiffAugment_tf.py rand_translation ratio=[1, 8], rand_cutout ratio=[1, 2]
TRANSLATION_RATIO = (1, 8)
CUTOUT_RATIO = (1, 2)


def _parse(policy: str) -> list[str]:
  names = [p for p in policy.split(",") if p] if policy else []
  unknown = [p for p in names if p not in POLICIES]
  if unknown:
    raise ValueError(f"unknown DiffAugment policy {unknown}; valid: {', '.join(POLICIES)}")
  return names


def diff_augment(x: tf.Tensor, policy: str, seed: tf.Tensor) -> tf.Tensor:
  """x augmented by the comma-separated `policy` ("color,translation,cutout" for the official
  low-data runs; "" returns x), in the official order. seed: a stateless int32 [2] seed."""
  names = _parse(policy)
  if not names:
    return x
  seeds = tf.random.experimental.stateless_split(seed, num=len(names))  # [len(names), 2]
  for i, name in enumerate(names):
    x = {"color": rand_color, "translation": rand_translation, "cutout": rand_cutout}[name](
      x, seeds[i]
    )
  return x


def _uniform(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
  """U(0, 1) per example, [B, 1, 1, 1], in x's dtype."""
  return tf.random.stateless_uniform([tf.shape(x)[0], 1, 1, 1], seed, dtype=x.dtype)


def rand_color(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
  """Brightness, saturation, contrast (official rand_brightness, rand_color, rand_contrast)."""
  s = tf.random.experimental.stateless_split(seed, num=3)
  x = x + (_uniform(x, s[0]) - 0.5)
  mean = tf.reduce_mean(x, axis=3, keepdims=True)  # [B, H, W, 1]
  x = (x - mean) * (_uniform(x, s[1]) * 2.0) + mean
  mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)  # [B, 1, 1, 1]
  return (x - mean) * (_uniform(x, s[2]) + 0.5) + mean


def translate(x: tf.Tensor, shift_x: tf.Tensor, shift_y: tf.Tensor) -> tf.Tensor:
  """out[b, i, j] = x[b, i + shift_y[b], j + shift_x[b]], zero outside x (official
  rand_translation's gather from the zero-padded image). shift_x, shift_y: int32 [B]."""
  h, w = tf.shape(x)[1], tf.shape(x)[2]

  def shift_axis(t: tf.Tensor, size: tf.Tensor, shift: tf.Tensor) -> tf.Tensor:
    # Gathers along axis 1 of t from t zero-padded by one row each side.
    padded = tf.pad(t, [[0, 0], [1, 1], [0, 0], [0, 0]])  # [B, size + 2, ., C]
    index = tf.clip_by_value(tf.range(size)[None, :] + shift[:, None] + 1, 0, size + 1)  # [B, size]
    return tf.gather(padded, index, axis=1, batch_dims=1)

  x = shift_axis(x, h, tf.cast(shift_y, tf.int32))
  x = tf.transpose(x, [0, 2, 1, 3])  # [B, W, H, C]
  x = shift_axis(x, w, tf.cast(shift_x, tf.int32))
  return tf.transpose(x, [0, 2, 1, 3])


def rand_translation(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
  """`translate` by integers uniform in [-W // 8, W // 8] and [-H // 8, H // 8] per example."""
  b, h, w = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
  num, den = TRANSLATION_RATIO
  max_x, max_y = w * num // den, h * num // den
  s = tf.random.experimental.stateless_split(seed, num=2)
  shift_x = tf.random.stateless_uniform([b], s[0], -max_x, max_x + 1, dtype=tf.int32)
  shift_y = tf.random.stateless_uniform([b], s[1], -max_y, max_y + 1, dtype=tf.int32)
  return translate(x, shift_x, shift_y)


def cutout(x: tf.Tensor, center_y: tf.Tensor, center_x: tf.Tensor) -> tf.Tensor:
  """x with the (H // 2) x (W // 2) square at rows [center_y - H // 4, ... + H // 2) and the same
  for columns zeroed, clipped to the image (official rand_cutout's offsets). centers: int32 [B]."""
  h, w = tf.shape(x)[1], tf.shape(x)[2]
  num, den = CUTOUT_RATIO
  size_y, size_x = h * num // den, w * num // den
  top = tf.cast(center_y, tf.int32)[:, None] - size_y // 2  # [B, 1]
  left = tf.cast(center_x, tf.int32)[:, None] - size_x // 2
  rows, cols = tf.range(h)[None, :], tf.range(w)[None, :]  # [1, H], [1, W]
  in_rows = tf.logical_and(rows >= top, rows < top + size_y)  # [B, H]
  in_cols = tf.logical_and(cols >= left, cols < left + size_x)  # [B, W]
  inside = tf.logical_and(in_rows[:, :, None], in_cols[:, None, :])  # [B, H, W]
  return x * tf.cast(tf.logical_not(inside), x.dtype)[..., None]


def rand_cutout(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
  """`cutout` centred uniformly in [0, H + (1 - (H // 2) % 2)) x the same for W (official)."""
  b, h, w = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
  num, den = CUTOUT_RATIO
  size_y, size_x = h * num // den, w * num // den
  s = tf.random.experimental.stateless_split(seed, num=2)
  center_y = tf.random.stateless_uniform([b], s[0], 0, h + 1 - size_y % 2, dtype=tf.int32)
  center_x = tf.random.stateless_uniform([b], s[1], 0, w + 1 - size_x % 2, dtype=tf.int32)
  return cutout(x, center_y, center_x)
