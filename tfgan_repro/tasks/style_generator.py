"""A trained style-based generator (StyleGAN2: mapping f, truncation, synthesis g) taken apart for
the latent tools: z -> w = f(z), ws = w broadcast to the synthesis layers and truncated towards
w_avg (w' = w_avg + psi (w - w_avg), Karras et al. 2019, App. B), images = g(ws).

`style_parts(G)` takes a generator built by nets.stylegan2.stylegan2_generator (a trained run's
shipped G, the EMA copy, or an imported official one) apart; any other generator is refused,
naming what it is.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.data.latents import sample_latents

_BATCH = 32


@dataclasses.dataclass(frozen=True)
class StyleGenerator:
  """mapping: z [N, z_dim] -> w [N, w_dim]; synthesis: ws [N, num_ws, w_dim] -> images; w_avg
  [w_dim] (the truncation layer's running mean of w)."""

  mapping: keras.Model
  synthesis: keras.Model
  w_avg: np.ndarray
  num_ws: int
  z_dim: int

  def ws(self, w: np.ndarray, psi: float = 1.0, cutoff: int | None = None) -> np.ndarray:
    """w [N, w_dim] -> ws [N, num_ws, w_dim], the first `cutoff` (None: all) truncated by psi."""
    ws = np.repeat(np.asarray(w, np.float32)[:, None], self.num_ws, axis=1)  # [N, num_ws, w_dim]
    layers = slice(0, self.num_ws if cutoff is None else int(cutoff))
    ws[:, layers] = self.w_avg + psi * (ws[:, layers] - self.w_avg)
    return ws

  def w_of_seeds(self, seeds: list[int]) -> np.ndarray:
    """w [len(seeds), w_dim] of each seed's z (data.latents.sample_latents, first row, as
    bin.generate's first image of that seed)."""
    z = np.concatenate([sample_latents(s, 1, self.z_dim).numpy() for s in seeds])  # [n, z_dim]
    return self.map(z)

  def map(self, z: np.ndarray) -> np.ndarray:
    parts = [self.mapping(z[i : i + _BATCH], training=False) for i in range(0, len(z), _BATCH)]
    return np.concatenate([np.asarray(p, np.float32) for p in parts])

  def images(self, ws: np.ndarray) -> np.ndarray:
    """float32 [N, S, S, C] of ws [N, num_ws, w_dim] (inference: the stored noise)."""
    parts = [self.synthesis(ws[i : i + _BATCH], training=False) for i in range(0, len(ws), _BATCH)]
    return np.concatenate([np.asarray(p, np.float32) for p in parts])


def is_style_based(G: keras.Model) -> bool:
  """Whether G has the mapping / truncation / synthesis parts of stylegan2_generator."""
  return {"mapping", "synthesis", "truncation"} <= {layer.name for layer in G.layers}


def style_parts(G: keras.Model) -> StyleGenerator:
  """The parts of a generator built by nets.stylegan2.stylegan2_generator; ValueError for
  another generator."""
  if not is_style_based(G):
    raise ValueError(
      f"generator {G.name!r} is not style-based (no mapping / truncation / synthesis parts); "
      "use bin.generate's z-space tools"
    )
  truncation = G.get_layer("truncation")
  return StyleGenerator(
    mapping=G.get_layer("mapping"),
    synthesis=G.get_layer("synthesis"),
    w_avg=np.asarray(truncation.w_avg, np.float32),
    num_ws=truncation.num_ws,
    z_dim=int(G.inputs[0].shape[-1]),
  )


def noise_variables(style: StyleGenerator) -> list[tf.Variable]:
  """The stored noise images (NoiseInjection.noise_const) of the synthesis, coarse to fine."""
  return [layer.noise_const for layer in style.synthesis.layers if hasattr(layer, "noise_const")]
