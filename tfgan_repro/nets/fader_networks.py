"""Fader Networks (Lample et al. 2017, Sec. 3 and 4.1), as the official facebookresearch/
FaderNetworks src/model.py builds them (`build_layers`, AutoEncoder, LatentDiscriminator,
PatchDiscriminator).

Official code -> paper -> layer names here (C_i = min(init_fm * 2^i, max_fm): 32-64-128-256-512-512
for the official --init_fm 32 --max_fm 512 --n_layers 6; every conv 4x4, stride 2, padding 1):
  encoder layer i = 0..n-1: Conv2d(C_{i-1} -> C_i) [BatchNorm (i > 0)] LeakyReLU(0.2)
                                                       E: x -> E(x)          enc{i+1}[_norm, _lrelu]
  decoder layer j = 1..n (i = n - j): cat(h, y) -> ConvTranspose2d(C_i + n_attr -> C_{i-1}, no
    bias) [BatchNorm, ReLU (i > 0) | Tanh (i = 0)], y = the attributes, 2 one-hot channels each
    ("dummy", n_attr = 2A) broadcast over h  D: (E(x), y) -> x               dec{j}[_cat, _norm, ..]
  latent discriminator: encoder layers i = n..log2(img_sz)-1 (each with Dropout(0.3) after its
    LeakyReLU: official enc_dropout = --lat_dis_dropout) to 1x1, then Linear(C -> hid_dim 512),
    LeakyReLU(0.2), Linear(hid_dim -> n_attr)          P(y | E(x)) logits   lat{i+1}.., fc1, fc2
  patch discriminator: Conv2d(3 -> C_0) LeakyReLU, 3 x [Conv2d (strides 2, 2, 1), BatchNorm,
    LeakyReLU], Conv2d(-> 1, stride 1); official forward = mean over patches of Sigmoid(logits)
                                                                             patch{1..5}[_norm, ..]
A 256 px image gives a 4x4x512 latent E(x) (n_layers 6). The official code keeps PyTorch's default
initialization (no init_weights): init="torch" (layers/initializers.py). Not built: --n_skip > 0
(skip connections), --deconv_method upsampling | pixelshuffle, --instance_norm, --dec_dropout
(official defaults 0, convtranspose, False, 0).
"""

from __future__ import annotations

import math

import keras

from tfgan_repro.layers.attribute_encoding import AttributeEncoding
from tfgan_repro.layers.concat_condition import ConcatCondition
from tfgan_repro.layers.initializers import bias_init, kernel_init
from tfgan_repro.layers.normalization import normalization
from tfgan_repro.layers.pytorch_conv import conv2d, conv_transpose2d
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network

# official build_layers: nn.Conv2d(n_in, n_out, 4, 2, 1) / nn.ConvTranspose2d(.., 4, 2, 1)
KERNEL_SIZE = 4
STRIDE = 2
PADDING = 1
LEAKY_SLOPE = 0.2  # official nn.LeakyReLU(0.2)
INIT = "torch"  # official model.py: PyTorch's default initialization
# official train.py defaults
IMG_SZ = 256  # --img_sz 256
N_LAYERS = 6  # --n_layers 6
INIT_FM = 32  # --init_fm 32
MAX_FM = 512  # --max_fm 512
HID_DIM = 512  # --hid_dim 512
LAT_DIS_DROPOUT = 0.3  # --lat_dis_dropout 0.3
NUM_ATTRIBUTES = 2  # --attr "Smiling,Male": 2 binary attributes = 4 one-hot channels
N_PATCH_DIS_LAYERS = 3  # official PatchDiscriminator.n_patch_dis_layers
MIN_PATCH_INPUT = 24  # the PatchDiscriminator's output is H / 8 - 2 for H divisible by 8


def feature_maps(layer: int, init_fm: int, max_fm: int) -> int:
  """C_i: the output channels of encoder layer i (official n_out = min(2 * n_out, max_fm))."""
  return min(init_fm * 2**layer, max_fm)


def _check_widths(init_fm: int, max_fm: int) -> None:
  if not 1 <= init_fm <= max_fm:  # official: assert init_fm <= max_fm
    raise ValueError(f"need 1 <= init_fm <= max_fm, got init_fm={init_fm!r}, max_fm={max_fm!r}")


def layers_to_1x1(image_size: int) -> int:
  """log2(image_size): the conv layers that take image_size to 1x1 (official n_dis_layers)."""
  if not isinstance(image_size, int) or image_size < 2 or image_size & (image_size - 1):
    raise ValueError(f"image_size must be a power of 2 >= 2, got {image_size!r}")
  return int(math.log2(image_size))


def encoder_layers(
  x: keras.KerasTensor,
  *,
  first: int,
  last: int,
  init_fm: int,
  max_fm: int,
  dropout: float = 0.0,
  prefix: str = "enc",
) -> keras.KerasTensor:
  """Official encoder layers i = first..last-1 on a tensor: Conv2d(4, 2, 1) -> C_i, BatchNorm
  (affine, i > 0), LeakyReLU(0.2), Dropout (when dropout > 0). Layers `{prefix}{i+1}`, ..."""
  for i in range(first, last):
    layer = f"{prefix}{i + 1}"
    channels = feature_maps(i, init_fm, max_fm)
    x = conv2d(x, channels, KERNEL_SIZE, strides=STRIDE, padding=PADDING, init=INIT, name=layer)
    if i > 0:
      x = normalization("batch", name=f"{layer}_norm", init=INIT)(x)
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{layer}_lrelu")(x)
    if dropout:
      x = keras.layers.Dropout(dropout, name=f"{layer}_dropout")(x)
  return x


def _linear(x: keras.KerasTensor, units: int, name: str) -> keras.KerasTensor:
  """PyTorch nn.Linear with its default initialization."""
  return keras.layers.Dense(
    units,
    kernel_initializer=kernel_init(INIT),
    bias_initializer=bias_init(INIT, x.shape[-1]),
    name=name,
  )(x)


def projection(
  x: keras.KerasTensor, outputs: int, *, hid_dim: int, prefix: str = ""
) -> keras.KerasTensor:
  """Official proj_layers on a 1x1 map: Linear(C -> hid_dim), LeakyReLU(0.2), Linear(-> outputs);
  float32 logits [N, outputs]. Layers `{prefix}flatten`, `{prefix}fc1`, `{prefix}fc2`."""
  if x.shape[1:3] != (1, 1):
    raise ValueError(f"projection needs a 1x1 map, got shape {tuple(x.shape)}")
  x = keras.layers.Flatten(name=f"{prefix}flatten")(x)  # (N, 1, 1, C) -> (N, C)
  x = _linear(x, hid_dim, f"{prefix}fc1")
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{prefix}fc1_lrelu")(x)
  x = _linear(x, outputs, f"{prefix}fc2")
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  return keras.layers.Activation("linear", dtype="float32", name=f"{prefix}logits")(x)


def fader_encoder(
  *,
  n_layers: int = N_LAYERS,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  image_channels: int = 3,
  image_size: ImageSize = None,
  name: str = "encoder",
) -> keras.Model:
  """E: (N, H, W, image_channels) -> latent (N, H / 2^n_layers, W / 2^n_layers, C_{n_layers-1})."""
  if n_layers < 1:
    raise ValueError(f"n_layers must be >= 1, got {n_layers!r}")
  _check_widths(init_fm, max_fm)
  inputs = image_input(image_channels, image_size, multiple_of=2**n_layers)
  latent = encoder_layers(inputs, first=0, last=n_layers, init_fm=init_fm, max_fm=max_fm)
  return keras.Model(inputs, latent, name=name)


def fader_decoder(
  *,
  num_attributes: int = NUM_ATTRIBUTES,
  n_layers: int = N_LAYERS,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  image_channels: int = 3,
  attr_encoding: str = "dummy",
  latent_size: int | None = None,
  name: str = "decoder",
) -> keras.Model:
  """D: [latent (N, h, w, C_{n_layers-1}), attributes (N, A) values a] -> (N, h 2^n, w 2^n,
  image_channels) in [-1, 1]. The attributes, encoded once (AttributeEncoding: dummy [1 - a, a]
  per attribute, or plain [a]), are concatenated to the input of EVERY decoder layer (official
  AutoEncoder.decode)."""
  if num_attributes < 1:
    raise ValueError(f"num_attributes must be >= 1, got {num_attributes!r}")
  if n_layers < 1:
    raise ValueError(f"n_layers must be >= 1, got {n_layers!r}")
  _check_widths(init_fm, max_fm)
  latent = keras.Input(
    shape=(latent_size, latent_size, feature_maps(n_layers - 1, init_fm, max_fm)), name="latent"
  )
  attributes = keras.Input(shape=(num_attributes,), name="attributes")
  y = AttributeEncoding(attr_encoding, name="attribute_encoding")(attributes)  # (N, n_attr)
  x = latent
  for j in range(1, n_layers + 1):
    i = n_layers - j  # the mirrored encoder layer
    layer = f"dec{j}"
    x = ConcatCondition(name=f"{layer}_cat")([x, y])  # (N, h, w, C_i + n_attr)
    out = feature_maps(i - 1, init_fm, max_fm) if i > 0 else image_channels
    x = conv_transpose2d(
      x, out, KERNEL_SIZE, strides=STRIDE, padding=PADDING, use_bias=False, init=INIT, name=layer
    )
    if i > 0:
      x = normalization("batch", name=f"{layer}_norm", init=INIT)(x)
      x = keras.layers.ReLU(name=f"{layer}_relu")(x)
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
  return keras.Model([latent, attributes], outputs, name=name)


@register_network(
  "fader_autoencoder",
  role="generator",
  official_name="AutoEncoder",
  paper_kwargs={},  # official train.py defaults (256 px, --attr "Smiling,Male")
  official_params=14_032_352,  # docs/official_counts.md (built from the official code)
  tiny_kwargs={"n_layers": 2, "init_fm": 4, "max_fm": 8},
  tiny_input_shape=(16, 16, 3),
  tiny_condition_size=NUM_ATTRIBUTES,
)
def fader_autoencoder(
  *,
  num_attributes: int = NUM_ATTRIBUTES,
  n_layers: int = N_LAYERS,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  image_channels: int = 3,
  attr_encoding: str = "dummy",
  image_size: ImageSize = None,
  name: str = "fader_autoencoder",
) -> keras.Model:
  """The Fader Network generator: [image (N, H, W, C), attributes (N, A) target values] ->
  D(E(image), attributes) (N, H, W, C) in [-1, 1]. Its sub-models "encoder" (E) and "decoder"
  (D) are `get_layer("encoder")` / `get_layer("decoder")`: the latent discriminator reads E(x)."""
  encoder = fader_encoder(
    n_layers=n_layers,
    init_fm=init_fm,
    max_fm=max_fm,
    image_channels=image_channels,
    image_size=image_size,
  )
  latent_size = None if image_size is None else encoder.output.shape[1]
  decoder = fader_decoder(
    num_attributes=num_attributes,
    n_layers=n_layers,
    init_fm=init_fm,
    max_fm=max_fm,
    image_channels=image_channels,
    attr_encoding=attr_encoding,
    latent_size=latent_size,
  )
  image = encoder.input
  attributes = keras.Input(shape=(num_attributes,), name="attributes")
  outputs = decoder([encoder(image), attributes])
  return keras.Model([image, attributes], outputs, name=name)


@register_network(
  "fader_latent_discriminator",
  role="discriminator",
  official_name="LatentDiscriminator",
  paper_kwargs={},  # official train.py defaults
  official_params=8_656_388,  # docs/official_counts.md (built from the official code)
  tiny_kwargs={"image_size": 16, "n_layers": 2, "init_fm": 4, "max_fm": 8, "hid_dim": 8},
  tiny_input_shape=(4, 4, 8),  # the tiny autoencoder's latent
)
def fader_latent_discriminator(
  *,
  num_attributes: int = NUM_ATTRIBUTES,
  image_size: int = IMG_SZ,
  n_layers: int = N_LAYERS,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  hid_dim: int = HID_DIM,
  dropout: float = LAT_DIS_DROPOUT,
  name: str = "fader_latent_discriminator",
) -> keras.Model:
  """P(y | E(x)): latent (N, S / 2^n_layers, same, C_{n_layers-1}) -> logits (N, 2A), two classes
  per attribute laid out as the dummy encoding (official n_attr outputs, softmax per pair).

  The encoder's layers continue from the latent down to 1x1 (layers n_layers..log2(S)-1 of the
  official encoder built to log2(S) layers, with batch norm and Dropout(dropout) in each).
  """
  if num_attributes < 1:
    raise ValueError(f"num_attributes must be >= 1, got {num_attributes!r}")
  if not 0.0 <= dropout < 1.0:
    raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
  _check_widths(init_fm, max_fm)
  n_dis_layers = layers_to_1x1(image_size)
  if not 1 <= n_layers <= n_dis_layers:  # official: assert n_layers <= int(np.log2(img_sz))
    raise ValueError(
      f"n_layers must be in [1, log2(image_size) = {n_dis_layers}], got {n_layers!r}"
    )
  size = image_size // 2**n_layers
  channels = feature_maps(n_layers - 1, init_fm, max_fm)
  inputs = keras.Input(shape=(size, size, channels), name="latent")
  x = encoder_layers(
    inputs,
    first=n_layers,
    last=n_dis_layers,
    init_fm=init_fm,
    max_fm=max_fm,
    dropout=dropout,
    prefix="lat",
  )
  outputs = projection(x, 2 * num_attributes, hid_dim=hid_dim)
  return keras.Model(inputs, outputs, name=name)


@register_network(
  "fader_patch_discriminator",
  role="discriminator",
  official_name="PatchDiscriminator",
  paper_kwargs={},  # official train.py defaults (used when --n_ptc_dis > 0)
  official_params=695_137,  # counted by building the official code (torch 2.13)
  tiny_kwargs={"init_fm": 4, "max_fm": 8},
  tiny_input_shape=(32, 32, 3),
)
def fader_patch_discriminator(
  *,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  image_channels: int = 3,
  image_size: ImageSize = None,
  name: str = "fader_patch_discriminator",
) -> keras.Model:
  """Official PatchDiscriminator without its last Sigmoid: image (N, H, W, C) -> patch logits
  (N, H / 8 - 2, W / 8 - 2, 1). The official output, the mean over patches of their sigmoid, is
  what `losses.mean_probability_bce` scores (from the logits, for numerical stability). Inputs
  need H, W >= 24 (one patch)."""
  _check_widths(init_fm, max_fm)
  if (
    image_size is not None
    and min((image_size,) if isinstance(image_size, int) else image_size) < MIN_PATCH_INPUT
  ):
    raise ValueError(f"image_size must be >= {MIN_PATCH_INPUT}, got {image_size!r}")
  inputs = image_input(image_channels, image_size)
  x = conv2d(inputs, init_fm, KERNEL_SIZE, strides=2, padding=PADDING, init=INIT, name="patch1")
  x = keras.layers.LeakyReLU(LEAKY_SLOPE, name="patch1_lrelu")(x)
  n_out = min(2 * init_fm, max_fm)
  for n in range(N_PATCH_DIS_LAYERS):
    layer = f"patch{n + 2}"
    stride = 1 if n == N_PATCH_DIS_LAYERS - 1 else 2
    x = conv2d(x, n_out, KERNEL_SIZE, strides=stride, padding=PADDING, init=INIT, name=layer)
    x = normalization("batch", name=f"{layer}_norm", init=INIT)(x)
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"{layer}_lrelu")(x)
    if n < N_PATCH_DIS_LAYERS - 1:
      n_out = min(2 * n_out, max_fm)
  layer = f"patch{N_PATCH_DIS_LAYERS + 2}"
  x = conv2d(x, 1, KERNEL_SIZE, strides=1, padding=PADDING, init=INIT, name=layer)
  outputs = keras.layers.Activation("linear", dtype="float32", name="logits")(x)
  return keras.Model(inputs, outputs, name=name)
