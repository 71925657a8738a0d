"""The BigGAN generator and discriminator (Brock et al. 2019, App. B, Table 4 (128 px) and Fig. 15
(a)-(c)), class-conditional, with the hierarchical latent, shared class embedding, conditional BN,
self-attention and the projection discriminator.

Official code: ajbrock/BigGAN-PyTorch (`BigGAN.py` Generator / Discriminator, G_arch / D_arch;
`layers.py` SNConv2d, SNLinear, SNEmbedding, ccbn, bn, Attention, GBlock, DBlock;
`scripts/launch_BigGAN_bs256x8.sh` for 128 px). Code names -> paper -> official names:
  G  inputs z [N, dim_z] (z), class ids int32 [N] (y)
     shared: Embedding(n_classes, shared_dim), the shared class embedding (Sec. 3)    shared
     hier: z split into len(blocks) + 1 chunks (Sec. 3 "hierarchical latent space"); chunk 0
       feeds the linear layer, chunk i + 1 with shared(y) the BN of block i       z{i}, y{i}
     SN Linear(chunk -> 16 ch * 4 * 4), reshape [N, 4, 4, 16 ch]          linear, linear_reshape
     per resolution: ResBlock up (Fig. 15 (b)): cBN, ReLU, up 2x (nearest), conv3, cBN, ReLU,
       conv3; shortcut up 2x, conv1                                                 block{i}_*
       (GBlock: bn1, conv1, bn2, conv2, conv_sc; ConditionalBatchNormalization = ccbn)
     Non-local block at `attention` px (SAGAN; layers.Attention)                  block{i}_attention
     BN, ReLU, SN conv3 -> 3, tanh                       output_bn, output_relu, output_conv, tanh
  D  inputs image [N, S, S, 3] (x), class ids int32 [N] (y)
     per resolution: ResBlock down (Fig. 15 (c)): [ReLU], conv3, ReLU, conv3, avgpool 2x;
       shortcut conv1 + avgpool (the first block: avgpool, then conv1, no pre-activation) and
       the last block (4x4) without downsampling                                     block{i}_*
     Non-local block at `attention` px                                           block{i}_attention
     ReLU, global sum pooling, SN Linear -> 1 (psi), + <SN Embed(y), h> (projection, Miyato &
       Koyama 2018)                                                 relu, sum, linear, embed, proj
Every conv, linear and D's embedding is spectrally normalised (G_param = D_param = 'SN'; Sec. 3:
Spectral Norm in G as SA-GAN); G's shared embedding is not (official which_embedding =
nn.Embedding). Weights: `init` (official --G_init / --D_init ortho; Sec. 3: Orthogonal
Initialization); biases keep PyTorch's default U(+-1/sqrt(fan_in)) (official init_weights touches
`weight` only). BN: batch norm eps 1e-5 and PyTorch momentum 0.1 (official layers.bn / ccbn).
Widths (official G_arch / D_arch, multiples of ch): 128 px G 16, 16, 8, 4, 2 -> 16, 8, 4, 2, 1;
D 1, 2, 4, 8, 16, 16.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from tfgan_repro.layers.channel_slice import ChannelSlice
from tfgan_repro.layers.conditional_batch_normalization import ConditionalBatchNormalization
from tfgan_repro.layers.global_sum_pooling2d import GlobalSumPooling2D
from tfgan_repro.layers.initializers import bias_init
from tfgan_repro.layers.normalization import normalization
from tfgan_repro.layers.projection_embedding import ProjectionEmbedding
from tfgan_repro.layers.self_attention import SelfAttention
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets.registry import register_network

BOTTOM_WIDTH = 4  # official Generator bottom_width=4
# official G_arch: (in_channels, out_channels) multipliers of ch per resolution; block i outputs
# 8 * 2^i px.
G_ARCH = {
  32: ((4, 4, 4), (4, 4, 4)),
  64: ((16, 16, 8, 4), (16, 8, 4, 2)),
  128: ((16, 16, 8, 4, 2), (16, 8, 4, 2, 1)),
  256: ((16, 16, 8, 8, 4, 2), (16, 8, 8, 4, 2, 1)),
  512: ((16, 16, 8, 8, 4, 2, 1), (16, 8, 8, 4, 2, 1, 1)),
}
# official D_arch: out_channels multipliers of ch, downsample flags and the 'resolution' entry that
# places attention (official, including the 32 px table's 16, 16, 16, 16).
D_ARCH = {
  32: ((4, 4, 4, 4), (True, True, False, False), (16, 16, 16, 16)),
  64: ((1, 2, 4, 8, 16), (True,) * 4 + (False,), (32, 16, 8, 4, 4)),
  128: ((1, 2, 4, 8, 16, 16), (True,) * 5 + (False,), (64, 32, 16, 8, 4, 4)),
  256: ((1, 2, 4, 8, 8, 16, 16), (True,) * 6 + (False,), (128, 64, 32, 16, 8, 4, 4)),
  512: ((1, 1, 2, 4, 8, 8, 16, 16), (True,) * 7 + (False,), (256, 128, 64, 32, 16, 8, 4, 4)),
}
INITS = ("ortho", "N02", "glorot")  # official --G_init / --D_init choices
CH = 96  # launch_BigGAN_bs256x8.sh --G_ch 96 --D_ch 96
DIM_Z = 120  # launch_BigGAN_bs256x8.sh --dim_z 120 (Table 4: z in R^120, 20 per chunk)
SHARED_DIM = 128  # launch_BigGAN_bs256x8.sh --shared_dim 128 (App. B: 128-d shared embedding)
N_CLASSES = 1000  # official n_classes (ImageNet)
ATTENTION = 64  # launch_BigGAN_bs256x8.sh --G_attn 64 --D_attn 64
SN_EPS = 1e-6  # launch_BigGAN_bs256x8.sh --SN_eps 1e-6
BN_EPS = 1e-5  # launch_BigGAN_bs256x8.sh --BN_eps 1e-5
BN_MOMENTUM = 0.9  # official F.batch_norm momentum 0.1 (PyTorch) = Keras 0.9


def check_init(init: str) -> str:
  """Returns `init` or raises ValueError listing the official choices."""
  if init not in INITS:
    raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)}")
  return init


def weight_init(init: str) -> keras.initializers.Initializer:
  """Official init_weights for conv / linear / embedding weights: orthogonal_ (ortho), N(0, 0.02)
  (N02) or xavier_uniform_ (glorot); a fresh instance per layer."""
  check_init(init)
  if init == "ortho":
    return keras.initializers.Orthogonal()
  if init == "N02":
    return keras.initializers.RandomNormal(0.0, 0.02)
  return keras.initializers.GlorotUniform()


def attention_resolutions(attention: int | Sequence[int]) -> frozenset[int]:
  """official '64' / '32_64' -> {64} / {32, 64}; 0 (or an empty sequence) for none."""
  values = (attention,) if isinstance(attention, int) else tuple(attention)
  if any(not isinstance(a, int) or a < 0 for a in values):
    raise ValueError(f"attention must be resolutions (ints >= 0), got {attention!r}")
  return frozenset(a for a in values if a)


def _conv(filters: int, k: int, fan_in: int, init: str, sn_eps: float, name: str):
  conv = keras.layers.Conv2D(
    filters,
    k,
    padding="same",  # official which_conv padding 1 (3x3), 0 (1x1)
    kernel_initializer=weight_init(init),
    bias_initializer=bias_init("torch", fan_in * k * k),
    name=f"{name}_conv",
  )
  return SpectralNormalization(conv, epsilon=sn_eps, name=name)


def _linear(units: int, fan_in: int, init: str, sn_eps: float, name: str):
  dense = keras.layers.Dense(
    units,
    kernel_initializer=weight_init(init),
    bias_initializer=bias_init("torch", fan_in),
    name=f"{name}_dense",
  )
  return SpectralNormalization(dense, epsilon=sn_eps, name=name)


def _attention(x: keras.KerasTensor, init: str, name: str) -> keras.KerasTensor:
  initializer = keras.initializers.serialize(weight_init(init))
  return SelfAttention(kernel_initializer=initializer, name=name)(x)


def _g_block(x, y, out_ch: int, init: str, sn_eps: float, name: str) -> keras.KerasTensor:
  """Official GBlock (upsample = nearest 2x; the shortcut is learnt since it upsamples)."""
  in_ch = x.shape[-1]
  synchronized = tf.distribute.get_strategy().num_replicas_in_sync > 1  # official cross_replica

  def cbn(h, suffix):
    return ConditionalBatchNormalization(
      momentum=BN_MOMENTUM,
      epsilon=BN_EPS,
      sn_epsilon=sn_eps,
      kernel_initializer=keras.initializers.serialize(weight_init(init)),
      synchronized=synchronized,
      name=f"{name}_{suffix}",
    )([h, y])

  h = keras.layers.ReLU(name=f"{name}_relu1")(cbn(x, "bn1"))
  h = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(h)
  h = _conv(out_ch, 3, in_ch, init, sn_eps, f"{name}_conv1")(h)
  h = keras.layers.ReLU(name=f"{name}_relu2")(cbn(h, "bn2"))
  h = _conv(out_ch, 3, out_ch, init, sn_eps, f"{name}_conv2")(h)
  s = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_sc_up")(x)
  s = _conv(out_ch, 1, in_ch, init, sn_eps, f"{name}_conv_sc")(s)
  return keras.layers.Add(name=f"{name}_add")([h, s])


@register_network(
  "biggan_generator",
  role="generator",
  official_name="Generator",  # BigGAN-PyTorch BigGAN.py
  paper_kwargs={},  # launch_BigGAN_bs256x8.sh: 128 px, --G_ch 96 --hier --dim_z 120 ...
  # Counted by building tfgan_repro/torch_reference/biggan.py (the official layer list; the
  # shared embedding's 128,000 included): docs/official_counts.md.
  official_params=70_433_988,
  tiny_kwargs={
    "image_size": 32,
    "ch": 4,
    "dim_z": 8,
    "shared_dim": 4,
    "n_classes": 3,
    "attention": 16,
  },
  tiny_input_shape=(8,),
  tiny_condition_size=3,  # class ids in [0, 3)
)
def biggan_generator(
  *,
  image_size: int = 128,  # official --resolution (I128_hdf5)
  ch: int = CH,
  dim_z: int = DIM_Z,
  shared_dim: int = SHARED_DIM,
  n_classes: int = N_CLASSES,
  hier: bool = True,  # launch_BigGAN_bs256x8.sh --hier
  attention: int | Sequence[int] = ATTENTION,
  init: str = "ortho",  # launch_BigGAN_bs256x8.sh --G_init ortho
  sn_epsilon: float = SN_EPS,
  name: str = "biggan_generator",
) -> keras.Model:
  """BigGAN G: [z [N, dim_z], class ids int32 [N]] -> images [N, S, S, 3] in [-1, 1], S =
  image_size (32, 64, 128, 256 or 512, official G_arch)."""
  if image_size not in G_ARCH:
    raise ValueError(f"image_size must be one of {sorted(G_ARCH)}, got {image_size!r}")
  if min(ch, dim_z, shared_dim, n_classes) < 1:
    raise ValueError(
      f"ch, dim_z, shared_dim and n_classes must be >= 1, got {ch}, {dim_z}, {shared_dim}, "
      f"{n_classes}"
    )
  check_init(init)
  attend = attention_resolutions(attention)
  in_mult, out_mult = G_ARCH[image_size]
  slots = len(out_mult) + 1 if hier else 1  # official num_slots
  if dim_z % slots:
    raise ValueError(f"dim_z must be a multiple of {slots} (hier: blocks + 1), got {dim_z!r}")
  chunk = dim_z // slots  # official z_chunk_size
  z = keras.Input((dim_z,), name="z")
  ids = keras.Input((), dtype="int32", name="class_ids")
  shared = keras.layers.Embedding(
    n_classes, shared_dim, embeddings_initializer=weight_init(init), name="shared"
  )(ids)  # [N, shared_dim]
  if hier:
    zs = [ChannelSlice(i * chunk, (i + 1) * chunk, name=f"z{i}")(z) for i in range(slots)]
    ys = [
      keras.layers.Concatenate(name=f"y{i}")([shared, zs[i + 1]]) for i in range(len(out_mult))
    ]  # official torch.cat([y, z_chunk], 1): [N, shared_dim + chunk]
    z0 = zs[0]
  else:
    ys, z0 = [shared] * len(out_mult), z
  width = in_mult[0] * ch
  x = _linear(BOTTOM_WIDTH**2 * width, chunk if hier else dim_z, init, sn_epsilon, "linear")(z0)
  x = keras.layers.Reshape((BOTTOM_WIDTH, BOTTOM_WIDTH, width), name="linear_reshape")(x)
  for i, mult in enumerate(out_mult):  # [N, 4, 4, 16 ch] -> [N, S, S, out_mult[-1] ch]
    x = _g_block(x, ys[i], mult * ch, init, sn_epsilon, f"block{i}")
    if 8 * 2**i in attend:  # official arch['resolution'][i] = 8 * 2^i
      x = _attention(x, init, f"block{i}_attention")
  x = normalization("batch", name="output_bn", init="torch")(x)  # official layers.bn: gain 1
  x = keras.layers.ReLU(name="output_relu")(x)
  x = _conv(3, 3, x.shape[-1], init, sn_epsilon, "output_conv")(x)
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
  return keras.Model([z, ids], out, name=name)


def _d_block(x, out_ch: int, down: bool, preact: bool, init: str, sn_eps: float, name: str):
  """Official DBlock (wide: conv1 in -> out); the shortcut is learnt when the channels change or
  it downsamples: conv1 then avgpool with pre-activation, avgpool then conv1 without."""
  in_ch = x.shape[-1]
  h = keras.layers.ReLU(name=f"{name}_relu1")(x) if preact else x
  h = _conv(out_ch, 3, in_ch, init, sn_eps, f"{name}_conv1")(h)
  h = keras.layers.ReLU(name=f"{name}_relu2")(h)
  h = _conv(out_ch, 3, out_ch, init, sn_eps, f"{name}_conv2")(h)
  if down:
    h = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(h)
  s = x
  if not preact and down:
    s = keras.layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
  if down or in_ch != out_ch:
    s = _conv(out_ch, 1, in_ch, init, sn_eps, f"{name}_conv_sc")(s)
  if preact and down:
    s = keras.layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
  return keras.layers.Add(name=f"{name}_add")([h, s])


@register_network(
  "biggan_discriminator",
  role="discriminator",
  official_name="Discriminator",  # BigGAN-PyTorch BigGAN.py
  paper_kwargs={},  # launch_BigGAN_bs256x8.sh: 128 px, --D_ch 96 --D_attn 64
  # Counted from the official layer list (tfgan_repro/torch_reference/biggan.py builds it):
  # docs/official_counts.md.
  official_params=87_982_370,
  tiny_kwargs={"image_size": 32, "ch": 4, "n_classes": 3, "attention": 0},
  tiny_input_shape=(32, 32, 3),
  tiny_condition_size=3,  # class ids in [0, 3)
)
def biggan_discriminator(
  *,
  image_size: int = 128,  # official --resolution (I128_hdf5)
  ch: int = CH,
  n_classes: int = N_CLASSES,
  attention: int | Sequence[int] = ATTENTION,
  init: str = "ortho",  # launch_BigGAN_bs256x8.sh --D_init ortho
  sn_epsilon: float = SN_EPS,
  input_channels: int = 3,  # official D_arch in_channels [3, ...]
  name: str = "biggan_discriminator",
) -> keras.Model:
  """BigGAN D: [images [N, S, S, input_channels], class ids int32 [N]] -> logits [N, 1]."""
  if image_size not in D_ARCH:
    raise ValueError(f"image_size must be one of {sorted(D_ARCH)}, got {image_size!r}")
  if min(ch, n_classes, input_channels) < 1:
    raise ValueError(
      f"ch, n_classes and input_channels must be >= 1, got {ch}, {n_classes}, {input_channels}"
    )
  check_init(init)
  attend = attention_resolutions(attention)
  out_mult, downs, resolutions = D_ARCH[image_size]
  image = keras.Input((image_size, image_size, input_channels), name="image")
  ids = keras.Input((), dtype="int32", name="class_ids")
  h = image
  for i, (mult, down, res) in enumerate(zip(out_mult, downs, resolutions, strict=True)):
    h = _d_block(h, mult * ch, down, i > 0, init, sn_epsilon, f"block{i}")
    if res in attend:
      h = _attention(h, init, f"block{i}_attention")
  h = keras.layers.ReLU(name="relu")(h)
  h = GlobalSumPooling2D(name="sum")(h)  # [N, H, W, C] -> [N, C]
  width = h.shape[-1]
  out = _linear(1, width, init, sn_epsilon, "linear")(h)
  embed = ProjectionEmbedding(n_classes, width, keras.initializers.serialize(weight_init(init)))
  e = SpectralNormalization(embed, epsilon=sn_epsilon, name="embed")(ids)  # [N, C]
  proj = keras.layers.Dot(axes=1, name="proj")([e, h])  # sum(embed(y) * h, 1): [N, 1]
  out = keras.layers.Add(name="add")([out, proj])
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  logits = keras.layers.Activation("linear", dtype="float32", name="logits")(out)
  return keras.Model([image, ids], logits, name=name)
