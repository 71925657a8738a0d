"""The generator and discriminator of Progressive GAN (Karras et al. 2018, Table 2), with every
resolution's ToRGB / FromRGB layer present and the level of detail `lod` blending them as the
official "linear" structure does.

Official code: tkarras/progressive_growing_of_gans `networks.py` G_paper / D_paper -> names here
(NHWC; nf(stage) = min(fmap_base / 2^(stage * fmap_decay), fmap_max)):
  G  latents [N, latent_size] -> pixel norm                              latents_norm
     4x4: dense (gain sqrt(2)/4, no bias) -> [N, 4, 4, nf(1)], bias,
          lrelu 0.2, pixel norm; conv 3x3, lrelu, pixel norm              4x4_dense*, 4x4_conv*
     2^r: upscale 2x (nearest), conv 3x3, lrelu, pixel norm (Conv0_up),
          conv 3x3, lrelu, pixel norm (Conv1)                             {R}x{R}_up, _conv0*, _conv1*
     ToRGB_lod{l}: conv 1x1 (gain 1) at every resolution                  torgb_lod{l}
     Grow_lod{l}: images = lerp_clip(ToRGB(x), upscale(images), lod - l)  grow_lod{l}
  D  FromRGB_lod{l}: conv 1x1, lrelu at every resolution                  fromrgb_lod{l}
     2^r: conv 3x3 nf(r-1), lrelu; conv 3x3 nf(r-2), lrelu; avg-pool 2x     {R}x{R}_conv0*, _conv1*
     Grow_lod{l}: x = lerp_clip(x, FromRGB(avg-pooled image), lod - l)    grow_lod{l}
     4x4: minibatch stddev (group 4), conv 3x3 nf(1), lrelu, dense nf(0),
          lrelu, dense 1 (gain 1)                                         mbstd, 4x4_conv*, 4x4_dense*
Every conv / dense has the equalised learning rate (Sec. 4.1, gain sqrt(2) unless said);
lrelu is leaky ReLU with slope 0.2 (Sec. A.1). `lod` (the layer named "lod", a non-trainable
float32 variable: the official `lod` variable; `lod_variable`) is 0 at full resolution and
log2(resolution) - 2 at 4x4; a fractional lod is the fade-in of Sec. 3 with alpha = 1 - frac(lod).
The output is always at full resolution, the lower ones upscaled (nearest), as the official.

The official G and D default to the fused up-/down-sampling convolutions (`fused_scale=True`,
4x4 kernels summed from shifted copies of a 3x3 weight): the same function as the separate
nearest upscale + conv 3x3 and conv 3x3 + average pool built here, with the same weights (D) or
the 3x3 kernel flipped in both spatial axes (G's Conv0_up, a transposed convolution), so counts
agree (tests/nets/test_pggan.py checks both identities). The official G's output is linear (no
tanh).
"""

from __future__ import annotations

import math
from typing import Any

import keras
import tensorflow as tf

from tfgan_repro.layers.equalized_conv2d import EqualizedConv2D
from tfgan_repro.layers.equalized_dense import EqualizedDense
from tfgan_repro.layers.minibatch_stddev import MinibatchStddev
from tfgan_repro.layers.pixel_normalization import PixelNormalization
from tfgan_repro.nets.registry import register_network

GAIN = math.sqrt(2.0)  # official networks.py get_weight(gain=np.sqrt(2)) (He init)
LRELU_SLOPE = 0.2  # official networks.py leaky_relu(alpha=0.2); paper Sec. A.1
LOD_LAYER = "lod"


@keras.saving.register_keras_serializable(package="tfgan_repro")
class _Lod(keras.layers.Layer):
  """Holds the level of detail (float32, non-trainable, assigned by the training step; one
  value on every replica) and returns it as [N, 1, 1, 1] float32 for the blends."""

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    self.lod = self.add_weight(
      shape=(),
      dtype="float32",
      initializer="zeros",  # official networks.py: lod initializer np.float32(0.0)
      trainable=False,
      autocast=False,
      aggregation="only_first_replica",
      name="lod",
    )

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    lod = tf.convert_to_tensor(self.lod, tf.float32)
    return tf.zeros([tf.shape(inputs)[0], 1, 1, 1], tf.float32) + lod  # [N, 1, 1, 1]

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return (input_shape[0], 1, 1, 1)


@keras.saving.register_keras_serializable(package="tfgan_repro")
class _Grow(keras.layers.Layer):
  """[a, b, lod] -> a + (b - a) * clip(lod - level, 0, 1) (official lerp_clip), in float32."""

  def __init__(self, level: int, **kwargs: Any):
    super().__init__(**kwargs)
    self.level = int(level)

  def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
    a, b, lod = inputs
    t = tf.clip_by_value(tf.cast(lod, tf.float32) - float(self.level), 0.0, 1.0)
    return a + (b - a) * tf.cast(t, a.dtype)

  def compute_output_shape(self, input_shape: list) -> tuple[int | None, ...]:
    return tuple(input_shape[0])

  def get_config(self) -> dict[str, Any]:
    return {**super().get_config(), "level": self.level}


@keras.saving.register_keras_serializable(package="tfgan_repro")
class _ChannelBias(keras.layers.Layer):
  """x + b with one bias per channel (official apply_bias after the 4x4 dense's reshape)."""

  def build(self, input_shape: tuple[int | None, ...]) -> None:
    self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="bias")

  def call(self, inputs: tf.Tensor) -> tf.Tensor:
    return inputs + tf.cast(self.bias, inputs.dtype)

  def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
    return input_shape


def lod_variable(net: keras.Model) -> keras.Variable:
  """The level-of-detail variable of a pggan_generator / pggan_discriminator."""
  return net.get_layer(LOD_LAYER).lod


def max_lod(resolution: int) -> int:
  """The lod of the 4x4 stage: log2(resolution) - 2."""
  return _resolution_log2(resolution) - 2


def _resolution_log2(resolution: int) -> int:
  log2 = int(round(math.log2(resolution))) if resolution >= 1 else 0
  if resolution < 4 or 2**log2 != resolution:
    raise ValueError(f"image_size must be a power of 2 >= 4, got image_size={resolution!r}")
  return log2


def _nf(fmap_base: int, fmap_decay: float, fmap_max: int):
  """Official networks.py nf(stage): feature maps of a stage."""

  def nf(stage: int) -> int:
    return min(int(fmap_base / (2.0 ** (stage * fmap_decay))), fmap_max)

  if min(fmap_base, fmap_max) < 1 or nf(1) < 1:
    raise ValueError(
      f"fmap_base and fmap_max must give >= 1 feature maps, got fmap_base={fmap_base!r}, "
      f"fmap_max={fmap_max!r}"
    )
  return nf


def _lrelu(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
  return keras.layers.LeakyReLU(negative_slope=LRELU_SLOPE, name=name)(x)


def _g_conv(x, filters: int, pixelnorm: bool, epsilon: float, name: str) -> keras.KerasTensor:
  """conv 3x3, bias, lrelu, pixel norm (official G: PN(act(apply_bias(conv2d(x)))))."""
  x = EqualizedConv2D(filters, 3, gain=GAIN, name=name)(x)
  x = _lrelu(x, f"{name}_lrelu")
  return PixelNormalization(epsilon, name=f"{name}_pn")(x) if pixelnorm else x


@register_network(
  "pggan_generator",
  role="generator",
  official_name="G_paper",  # progressive_growing_of_gans networks.py, config.py G
  paper_kwargs={"image_size": 1024},  # celeba-hq 1024x1024 RGB, the official defaults
  # Counted from the official layer list (docs/official_counts.md, Progressive GAN).
  official_params=23_079_115,
  tiny_kwargs={"image_size": 16, "latent_size": 8, "fmap_base": 32, "fmap_max": 8},
  tiny_input_shape=(8,),
)
def pggan_generator(
  *,
  image_size: int = 1024,  # official G_paper resolution (celeba-hq: 1024)
  latent_size: int = 512,  # official latent_size=None -> nf(0) = min(8192, 512) = 512
  fmap_base: int = 8192,  # official fmap_base=8192
  fmap_decay: float = 1.0,  # official fmap_decay=1.0
  fmap_max: int = 512,  # official fmap_max=512
  num_channels: int = 3,  # official: from the dataset (RGB)
  normalize_latents: bool = True,  # official normalize_latents=True (Sec. 4.2)
  use_pixelnorm: bool = True,  # official use_pixelnorm=True (Sec. 4.2)
  pixelnorm_epsilon: float = 1e-8,  # official pixelnorm_epsilon=1e-8 (Sec. 4.2)
  name: str = "pggan_generator",
) -> keras.Model:
  """G_paper: latents [N, latent_size] -> images [N, S, S, num_channels] (S = image_size)
  (linear output; the net's `lod` picks the stage)."""
  log2 = _resolution_log2(image_size)
  nf = _nf(fmap_base, fmap_decay, fmap_max)
  if min(latent_size, num_channels) < 1:
    raise ValueError(
      f"latent_size and num_channels must be >= 1, got latent_size={latent_size!r}, "
      f"num_channels={num_channels!r}"
    )
  eps = pixelnorm_epsilon
  latents = keras.Input((latent_size,), name="latents")
  lod = _Lod(name=LOD_LAYER)(latents)
  x = PixelNormalization(eps, name="latents_norm")(latents) if normalize_latents else latents
  # Official: gain sqrt(2)/4 "to match the original Theano implementation", bias per channel.
  x = EqualizedDense(nf(1) * 16, gain=GAIN / 4, use_bias=False, name="4x4_dense")(x)
  x = keras.layers.Reshape((4, 4, nf(1)), name="4x4_reshape")(x)  # [N, 4, 4, nf(1)]
  x = _ChannelBias(name="4x4_dense_bias")(x)
  x = _lrelu(x, "4x4_dense_lrelu")
  if use_pixelnorm:
    x = PixelNormalization(eps, name="4x4_dense_pn")(x)
  x = _g_conv(x, nf(1), use_pixelnorm, eps, "4x4_conv")

  def torgb(h: keras.KerasTensor, res: int) -> keras.KerasTensor:
    return EqualizedConv2D(num_channels, 1, gain=1.0, name=f"torgb_lod{log2 - res}")(h)

  images = torgb(x, 2)
  for res in range(3, log2 + 1):
    size = 2**res
    x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{size}x{size}_up")(x)
    x = _g_conv(x, nf(res - 1), use_pixelnorm, eps, f"{size}x{size}_conv0")
    x = _g_conv(x, nf(res - 1), use_pixelnorm, eps, f"{size}x{size}_conv1")
    up = keras.layers.UpSampling2D(
      2, interpolation="nearest", dtype="float32", name=f"images_up_lod{log2 - res}"
    )(images)
    images = _Grow(log2 - res, dtype="float32", name=f"grow_lod{log2 - res}")(
      [torgb(x, res), up, lod]
    )
  # float32 images under mixed precision (Keras mixed-precision guide: last layer in float32).
  images = keras.layers.Activation("linear", dtype="float32", name="images_out")(images)
  return keras.Model(latents, images, name=name)


@register_network(
  "pggan_discriminator",
  role="discriminator",
  official_name="D_paper",  # progressive_growing_of_gans networks.py, config.py D
  paper_kwargs={"image_size": 1024},
  # Counted from the official layer list (docs/official_counts.md, Progressive GAN).
  official_params=23_087_249,
  tiny_kwargs={"image_size": 16, "fmap_base": 32, "fmap_max": 8},
  tiny_input_shape=(16, 16, 3),
)
def pggan_discriminator(
  *,
  image_size: int = 1024,  # official D_paper resolution (celeba-hq: 1024)
  num_channels: int = 3,  # official: from the dataset (RGB)
  fmap_base: int = 8192,  # official fmap_base=8192
  fmap_decay: float = 1.0,  # official fmap_decay=1.0
  fmap_max: int = 512,  # official fmap_max=512
  mbstd_group_size: int = 4,  # official mbstd_group_size=4 (Sec. 3); <= 1 disables it
  name: str = "pggan_discriminator",
) -> keras.Model:
  """D_paper: images [N, S, S, num_channels] (S = image_size) -> scores [N, 1] (the WGAN
  critic's output; the net's `lod` picks the stage)."""
  log2 = _resolution_log2(image_size)
  nf = _nf(fmap_base, fmap_decay, fmap_max)
  if num_channels < 1:
    raise ValueError(f"num_channels must be >= 1, got num_channels={num_channels!r}")
  if mbstd_group_size < 0:
    raise ValueError(f"mbstd_group_size must be >= 0, got mbstd_group_size={mbstd_group_size!r}")
  images = keras.Input((image_size, image_size, num_channels), name="images")
  lod = _Lod(name=LOD_LAYER)(images)

  def fromrgb(img: keras.KerasTensor, res: int) -> keras.KerasTensor:
    name = f"fromrgb_lod{log2 - res}"
    return _lrelu(EqualizedConv2D(nf(res - 1), 1, gain=GAIN, name=name)(img), f"{name}_lrelu")

  x = fromrgb(images, log2)
  img = images
  for res in range(log2, 2, -1):
    size = 2**res
    for i, filters in enumerate((nf(res - 1), nf(res - 2))):
      conv = f"{size}x{size}_conv{i}"
      x = _lrelu(EqualizedConv2D(filters, 3, gain=GAIN, name=conv)(x), f"{conv}_lrelu")
    x = keras.layers.AveragePooling2D(2, name=f"{size}x{size}_down")(x)
    img = keras.layers.AveragePooling2D(2, dtype="float32", name=f"images_down_lod{log2 - res}")(
      img
    )
    x = _Grow(log2 - res, dtype="float32", name=f"grow_lod{log2 - res}")(
      [x, fromrgb(img, res - 1), lod]
    )
  if mbstd_group_size > 1:
    x = MinibatchStddev(mbstd_group_size, 1, name="mbstd")(x)
  x = _lrelu(EqualizedConv2D(nf(1), 3, gain=GAIN, name="4x4_conv")(x), "4x4_conv_lrelu")
  x = keras.layers.Flatten(name="4x4_flatten")(x)  # [N, 4, 4, nf(1)] -> [N, 16 nf(1)]
  x = _lrelu(EqualizedDense(nf(0), gain=GAIN, name="4x4_dense0")(x), "4x4_dense0_lrelu")
  x = EqualizedDense(1, gain=1.0, name="4x4_dense1")(x)
  # float32 scores under mixed precision (Keras mixed-precision guide: last layer in float32).
  scores = keras.layers.Activation("linear", dtype="float32", name="scores_out")(x)
  return keras.Model(images, scores, name=name)
