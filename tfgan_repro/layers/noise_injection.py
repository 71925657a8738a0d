"""Per-pixel noise inputs of StyleGAN / StyleGAN2 (Karras et al. 2019, Sec. 3.2; 2020, Fig. 2c):
x + strength * noise, one learnt strength per layer and N(0, 1) noise of shape [N, H, W, 1].

Code names -> paper symbols -> official stylegan2-ada-pytorch `training/networks.py`
SynthesisLayer:
  noise_strength (scalar, init 0)     B (learnt per-layer scale)    `noise_strength`
  noise_const [H, W] (non-trainable,  a fixed noise image           `noise_const` (buffer)
    N(0, 1) seeded by the layer name)
  noise_mode                          -                             forward(noise_mode=...)
Modes: "random" draws fresh noise in training calls and uses `noise_const` in inference calls
(official generate.py --noise-mode const, its default: exports are deterministic); "const"
always uses `noise_const` (official noise_mode='const'); "none" adds nothing.
"""

from __future__ import annotations

import zlib
from typing import Any

import keras
import tensorflow as tf

NOISE_MODES = ("random", "const", "none")


@keras.saving.register_keras_serializable(package="tfgan_repro")
class NoiseInjection(keras.layers.Layer):
  """[N, H, W, C] -> same: x + noise_strength * noise, noise [N, H, W, 1] (modes above)."""

  def __init__(self, noise_mode: str = "random", **kwargs: Any):  # official noise_mode='random'
    super().__init__(**kwargs)
    if noise_mode not in NOISE_MODES:
      raise ValueError(f"noise_mode must be one of {NOISE_MODES}, got {noise_mode!r}")
    self.noise_mode = noise_mode

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4 or None in input_shape[1:3]:
      raise ValueError(f"NoiseInjection expects NHWC input with static H, W, got {input_shape}")
    self.noise_strength = self.add_weight(
      shape=(), initializer="zeros", name="noise_strength"
    )  # official torch.zeros([])
    # official torch.randn([res, res]), here seeded by the layer's name: every build of a net
    # holds the same stored noise (a non-trainable state no optimizer or weight copy moves)
    seed = zlib.crc32(self.name.encode()) % 2**31
    self.noise_const = self.add_weight(
      shape=tuple(input_shape[1:3]),
      initializer=keras.initializers.RandomNormal(stddev=1.0, seed=seed),
      trainable=False,
      name="noise_const",
    )

  def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
    if self.noise_mode == "none":
      return inputs
    if self.noise_mode == "random" and training:
      shape = tf.concat([tf.shape(inputs)[:3], [1]], axis=0)
      noise = tf.random.normal(shape, dtype=inputs.dtype)  # [N, H, W, 1]
    else:
      noise = tf.cast(self.noise_const, inputs.dtype)[None, :, :, None]  # [1, H, W, 1]
    return inputs + noise * tf.cast(self.noise_strength, inputs.dtype)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "noise_mode": self.noise_mode}
