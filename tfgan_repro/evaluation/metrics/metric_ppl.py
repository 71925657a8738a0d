"""Perceptual path length (Karras et al. 2019, Sec. 4.2; StyleGAN2, Karras et al. 2020, Sec. 3.2):
how much the image changes, perceptually, for a small step along the latent path,

  PPL = E[ d(G(lerp(w0, w1, t)), G(lerp(w0, w1, t + eps))) / eps^2 ],   eps = 1e-4,

with w0, w1 = f(z0), f(z1) (space "w": lerp in W) or the path taken in Z (space "z": slerp of
z0, z1, then f), t ~ U[0, 1] (sampling "full") or t = 0 (sampling "end": the path's end points,
StyleGAN2's choice). The mean drops the samples below the 1st and above the 99th percentile, as
the official stylegan2-ada-pytorch metrics/perceptual_path_length.py (np.percentile "lower" /
"higher").

d: the official takes LPIPS (VGG16) distances; here d(a, b) = ||phi(a) - phi(b)||^2 for the
feature extractor phi in use (the same one FID and precision / recall use: a judge network of
the procedural data, or the Inception / VGG weights of a path), so PPL is comparable between
models judged by one extractor, not with published LPIPS values. The official's optional centre
crop and 256 px down-sampling are left to `features`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

PPL_EPSILON = 1e-4  # Karras et al. 2019, Sec. 4.2: epsilon = 1e-4
PPL_SAMPLES = 50_000  # official metric ppl2_wend: num_samples=50000
SPACES = ("w", "z")
SAMPLINGS = ("end", "full")


def slerp(a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
  """Spherical interpolation of rows a, b [N, D] at t [N, 1] on the unit sphere (the official
  slerp: inputs normalised, the result normalised)."""
  a = tf.math.l2_normalize(a, axis=-1)
  b = tf.math.l2_normalize(b, axis=-1)
  d = tf.reduce_sum(a * b, axis=-1, keepdims=True)  # [N, 1] cos of the angle
  p = t * tf.acos(tf.clip_by_value(d, -1.0, 1.0))
  c = tf.math.l2_normalize(b - d * a, axis=-1)
  return tf.math.l2_normalize(a * tf.cos(p) + c * tf.sin(p), axis=-1)


def _lerp(a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
  """a + (b - a) t with t [N] broadcast over a's trailing axes (w [N, D] or [N, L, D])."""
  t = tf.reshape(t, [-1] + [1] * (len(a.shape) - 1))
  return a + (b - a) * t


def path_distances(
  mapping: Callable[[tf.Tensor], tf.Tensor],
  synthesis: Callable[[tf.Tensor], tf.Tensor],
  features: Callable[[tf.Tensor], tf.Tensor],
  z_dim: int,
  num_samples: int,
  seed: int,
  epsilon: float = PPL_EPSILON,
  space: str = "w",  # official ppl2_wend: space="w"
  sampling: str = "end",  # official ppl2_wend: sampling="end"
  batch_size: int = 64,
) -> np.ndarray:
  """d(G(path(t)), G(path(t + eps))) / eps^2 for `num_samples` draws of (z0, z1, t) from `seed`
  -> float64 [num_samples]. mapping: z [N, z_dim] -> w; synthesis: w -> images; features:
  images -> [N, D]."""
  if space not in SPACES:
    raise ValueError(f"space must be one of {SPACES}, got {space!r}")
  if sampling not in SAMPLINGS:
    raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
  if not epsilon > 0:
    raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
  if num_samples < 1 or batch_size < 1:
    raise ValueError(f"num_samples and batch_size must be >= 1, got {num_samples}, {batch_size}")
  out = []
  for i, start in enumerate(range(0, num_samples, batch_size)):
    n = min(batch_size, num_samples - start)
    key = tf.constant([seed, i], tf.int64)
    z = tf.random.stateless_normal([2, n, z_dim], key)  # z0, z1
    t = (
      tf.random.stateless_uniform([n], key + [0, 1 << 32]) if sampling == "full" else tf.zeros([n])
    )
    if space == "w":
      w0, w1 = mapping(z[0]), mapping(z[1])
      wt0, wt1 = _lerp(w0, w1, t), _lerp(w0, w1, t + epsilon)
    else:
      wt0 = mapping(slerp(z[0], z[1], t[:, None]))
      wt1 = mapping(slerp(z[0], z[1], t[:, None] + epsilon))
    images = synthesis(tf.concat([wt0, wt1], 0))  # [2n, S, S, C]
    phi = tf.cast(features(images), tf.float64)
    out.append((tf.reduce_sum(tf.square(phi[:n] - phi[n:]), axis=-1) / epsilon**2).numpy())
  return np.concatenate(out)


def perceptual_path_length(distances: np.ndarray) -> float:
  """The mean of `distances` between their 1st ("lower") and 99th ("higher") percentiles (the
  official outlier filter)."""
  d = np.asarray(distances, np.float64).ravel()
  if d.size == 0 or not np.isfinite(d).all():
    raise ValueError(f"distances must be a non-empty finite array, got {d.size} values")
  lo = np.percentile(d, 1, method="lower")
  hi = np.percentile(d, 99, method="higher")
  return float(d[(d >= lo) & (d <= hi)].mean())
