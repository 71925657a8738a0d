"""Class-conditional SNGAN ResNet G and D at 32 px (Miyato & Koyama 2018, cGANs with Projection
Discriminator; the nets of nets/sngan_resnet.py with the class y as a second input), with the
conditionings the class-conditional GANs compare.

Official code: pfnet-research/sngan_projection configs/sn_cifar10.yml (gen_models/resnet_32.py
ResNetGenerator n_classes=10, dis_models/snresnet_32.py SNResNetProjectionDiscriminator):
  G  [z [N, 128], y int [N]] -> images [N, 32, 32, 3] in [-1, 1]
     condition "cbn": each block's two batch norms are categorical conditional batch norms
       (layers/categorical_conditional_batch_normalization.py; official b1, b2 =
       CategoricalConditionalBatchNormalization); the last norm b5 stays unconditional
     condition "concat": z and one-hot y concatenated before l1 (cGAN, Mirza & Osindero 2014,
       Sec. 3.2: y fed to G as an additional input layer)
  D  [x [N, S, S, 3], y int [N]] -> logit [N, 1] (acgan: [N, 1 + K], the logit then the class
     logits)
     condition "projection": logit = l5(phi(x)) + <l_y(y), phi(x)>, phi(x) the summed ReLU
       features [N, ch], l5 an SN linear without bias, l_y an SN embedding [K, ch] (Eq. 3;
       official SNEmbedID, here an SN linear of one-hot y: the same matrix and spectral norm)
     condition "acgan": l5 gives 1 + K outputs: D(x) and the class logits of the auxiliary
       classifier (Odena et al. 2017, Sec. 3: "the discriminator ... outputs both a probability
       distribution over sources and a probability distribution over the class labels"); y unused
     condition "concat": one-hot y as K constant maps concatenated to x (cGAN, Sec. 3.2)
attention: the resolution (px) after whose block a self-attention block (layers/self_attention.py;
SAGAN, Zhang et al. 2019, Sec. 3) is inserted in G and D (0 = none); spectral_norm in G: SAGAN
Sec. 4 ("spectral normalization for both generator and discriminator").
"""

from __future__ import annotations

import math

import keras

from tfgan_repro.layers.categorical_conditional_batch_normalization import (
  CategoricalConditionalBatchNormalization,
)
from tfgan_repro.layers.concat_condition import ConcatCondition
from tfgan_repro.layers.global_sum_pooling2d import GlobalSumPooling2D
from tfgan_repro.layers.label_one_hot import LabelOneHot
from tfgan_repro.layers.normalization import normalization
from tfgan_repro.layers.self_attention import SelfAttention
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets.sngan_resnet import (
  BOTTOM_WIDTH,
  D_CH,
  G_CH,
  Z_DIM,
  _conv,
  _dense,
  _down_block,
  _glorot,
  _optimized_block,
  _up_block,
)

G_CONDITIONS = ("cbn", "concat")
D_CONDITIONS = ("projection", "acgan", "concat")
NUM_CLASSES = 10  # official sn_cifar10.yml n_classes: 10 (CIFAR-10)


def _one_hot(y: keras.KerasTensor, num_classes: int, name: str) -> keras.KerasTensor:
  ids = keras.layers.Reshape((1,), name=f"{name}_ids")(y)  # [N] -> [N, 1]
  return LabelOneHot(num_classes, name=name)(ids)  # [N, K]


def _check(num_classes: int, image_size: int, attention: int, **widths: int) -> int:
  """ValueError for a bad option; the number of 2x levels between 4 px and image_size."""
  if num_classes < 1:
    raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
  blocks = int(math.log2(image_size // BOTTOM_WIDTH)) if image_size >= 8 else 0
  if blocks < 1 or BOTTOM_WIDTH * 2**blocks != image_size:
    raise ValueError(f"image_size must be 4 * 2^k (k >= 1), got {image_size!r}")
  if attention and attention not in [BOTTOM_WIDTH * 2**b for b in range(1, blocks + 1)]:
    raise ValueError(f"attention must be 0 or a block resolution <= {image_size}, got {attention}")
  for key, value in widths.items():
    if value < 1:
      raise ValueError(f"{key} must be >= 1, got {value!r}")
  return blocks


def _g_norm(
  x: keras.KerasTensor, y: keras.KerasTensor, num_classes: int | None, name: str
) -> keras.KerasTensor:
  """Official b1 / b2: categorical conditional BN (num_classes) or plain BN (None)."""
  if num_classes is None:
    return normalization("batch", name=name, init="torch")(x)
  return CategoricalConditionalBatchNormalization(num_classes, name=name)([x, y])


def conditional_sngan_resnet_generator(
  *,
  num_classes: int = NUM_CLASSES,
  z_dim: int = Z_DIM,
  ch: int = G_CH,
  image_size: int = 32,  # official resnet_32.py: 32x32 (3 up-blocks from 4x4)
  condition: str = "cbn",  # official sn_cifar10.yml: ResNetGenerator n_classes (CBN)
  attention: int = 0,  # SAGAN (Zhang et al. 2019); not in SNGAN: none
  spectral_norm: bool = False,  # SAGAN Sec. 4: SN in G too; not in SNGAN
  output_channels: int = 3,
  name: str = "conditional_sngan_resnet_generator",
) -> keras.Model:
  """[z [N, z_dim], class ids int32 [N]] -> images [N, S, S, output_channels] in [-1, 1]."""
  blocks = _check(num_classes, image_size, attention, z_dim=z_dim, ch=ch, out=output_channels)
  if condition not in G_CONDITIONS:
    raise ValueError(f"unknown condition {condition!r}; valid: {', '.join(G_CONDITIONS)}")
  z = keras.Input((z_dim,), name="z")
  y = keras.Input((), dtype="int32", name="class_ids")
  h = z
  if condition == "concat":
    onehot = _one_hot(y, num_classes, "y_onehot")
    h = keras.layers.Concatenate(name="z_y")([z, onehot])  # [N, z_dim + K]
  cbn_classes = num_classes if condition == "cbn" else None
  x = _dense(BOTTOM_WIDTH**2 * ch, spectral_norm, "l1")(h)
  x = keras.layers.Reshape((BOTTOM_WIDTH, BOTTOM_WIDTH, ch), name="l1_reshape")(x)  # [N, 4, 4, ch]
  for b in range(blocks):
    x = _up_block(x, ch, lambda t, n: _g_norm(t, y, cbn_classes, n), spectral_norm, f"block{b + 2}")
    if attention == BOTTOM_WIDTH * 2 ** (b + 1):
      x = SelfAttention(spectral_norm=spectral_norm, name="attention")(x)
  x = normalization("batch", name="b5", init="torch")(x)  # official b5: unconditional BN
  x = keras.layers.ReLU(name="b5_relu")(x)
  x = _conv(output_channels, 3, 1.0, spectral_norm, "l5")(x)
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
  return keras.Model([z, y], out, name=name)


def conditional_sngan_resnet_discriminator(
  *,
  num_classes: int = NUM_CLASSES,
  ch: int = D_CH,
  image_size: int = 32,
  condition: str = "projection",  # official SNResNetProjectionDiscriminator
  attention: int = 0,  # SAGAN (Zhang et al. 2019); not in SNGAN: none
  spectral_norm: bool = True,  # Miyato et al. 2018
  input_channels: int = 3,
  name: str = "conditional_sngan_resnet_discriminator",
) -> keras.Model:
  """[images [N, S, S, input_channels], class ids int32 [N]] -> logits [N, 1] (acgan: [N, 1 +
  num_classes]: the source logit, then the class logits)."""
  _check(num_classes, image_size, attention, ch=ch, input_channels=input_channels)
  if condition not in D_CONDITIONS:
    raise ValueError(f"unknown condition {condition!r}; valid: {', '.join(D_CONDITIONS)}")
  sn = spectral_norm
  image = keras.Input((image_size, image_size, input_channels), name="image")
  y = keras.Input((), dtype="int32", name="class_ids")
  inputs = image
  if condition == "concat":
    onehot = _one_hot(y, num_classes, "y_onehot")
    inputs = ConcatCondition(name="x_y")([image, onehot])  # [N, S, S, C + K]
  x = _optimized_block(inputs, ch, sn)
  if attention == image_size // 2:
    x = SelfAttention(spectral_norm=sn, name="attention")(x)
  x = _down_block(x, ch, sn, True, "block2")
  if attention == image_size // 4:
    x = SelfAttention(spectral_norm=sn, name="attention")(x)
  x = _down_block(x, ch, sn, False, "block3")
  x = _down_block(x, ch, sn, False, "block4")
  x = keras.layers.ReLU(name="relu")(x)
  phi = GlobalSumPooling2D(name="sum")(x)  # [N, H, W, ch] -> [N, ch]
  if condition == "acgan":
    out = _dense(1 + num_classes, sn, "l5")(phi)  # [N, 1 + K]
  else:
    # official projection D: l5 SNLinear(ch, 1, nobias=True); the concat D keeps the same head
    out = _linear(1, sn, "l5")(phi)  # [N, 1]
  if condition == "projection":
    embedded = _linear(ch, sn, "l_y")(_one_hot(y, num_classes, "y_onehot"))  # [N, ch]
    inner = keras.layers.Dot(axes=1, name="y_phi")([embedded, phi])  # [N, 1]: <l_y(y), phi>
    out = keras.layers.Add(name="projection")([out, inner])
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  out = keras.layers.Activation("linear", dtype="float32", name="logits")(out)
  return keras.Model([image, y], out, name=name)


def _linear(units: int, sn: bool, name: str) -> keras.layers.Layer:
  """A bias-free (SN) linear layer, chainer GlorotUniform init (official l5 nobias=True, l_y)."""
  layer = keras.layers.Dense(
    units, use_bias=False, kernel_initializer=_glorot(1.0), name=name if not sn else f"{name}_dense"
  )
  return SpectralNormalization(layer, name=name) if sn else layer
