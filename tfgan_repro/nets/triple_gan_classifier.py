"""The classifier C of Triple-GAN on CIFAR-10 (Li et al. 2017, Sec. 5 / Appendix; official
zhenxuan00/triple-gan x2y_yz2x_xy2p_ssl_cifar10.py `build_network`, the network of Laine & Aila
2017's Pi-model).

Official layer -> name here (channels at width 1):
  GaussianNoiseLayer sigma .15 (training only)               noise
  3 x conv 3x3 'same' 128, WN (mean-only BN), lrelu 0.1       conv1a, conv1b, conv1c
  max pool 2, dropout .5                                      pool1, drop1
  3 x conv 3x3 'same' 256, WN, lrelu 0.1                      conv2a, conv2b, conv2c
  max pool 2, dropout .5                                      pool2, drop2
  conv 3x3 valid 512, WN, lrelu 0.1                           conv3a
  NIN (1x1 conv) 256, NIN 128, WN, lrelu 0.1                  conv3b, conv3c
  global average pool, dense K, WN                            pool3, dense
Returns the K class logits (the official dense ends with softmax; the loss takes the logits).
WN = weight normalization with mean-only batch norm (layers/mean_only_weight_norm.py); the convs
and the dense carry no bias of their own (official mean_only_bn removes it). Init: He normal
(relu gain) for the convs, then the official MeanOnlyBNLayer resamples each kernel N(0, 0.05);
here N(0, 0.05) directly (the weight norm makes the kernel's scale irrelevant to the output).
The official ZCA whitening of the inputs is not part of the net.
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.mean_only_weight_norm import MeanOnlyWeightNorm
from tfgan_repro.nets.registry import register_network

NUM_CLASSES = 10  # official num_classes=10 (CIFAR-10)
NOISE_STD = 0.15  # official GaussianNoiseLayer sigma=.15
DROPOUT = 0.5  # official DropoutLayer p=.5
LEAK = 0.1  # official LeakyRectify(0.1)
WN_MOMENTUM = 0.999  # official wn_defs momentum .999
INIT_STD = 0.05  # official MeanOnlyBNLayer W=Normal(0.05)
NORMS = ("mean_only_weight_norm", "none")
# (name, channels at width 1, kernel, padding) of the official conv stack, the pools after 1c, 2c
_BLOCKS = (
  (("conv1a", 128, 3, "same"), ("conv1b", 128, 3, "same"), ("conv1c", 128, 3, "same")),
  (("conv2a", 256, 3, "same"), ("conv2b", 256, 3, "same"), ("conv2c", 256, 3, "same")),
  (("conv3a", 512, 3, "valid"), ("conv3b", 256, 1, "valid"), ("conv3c", 128, 1, "valid")),
)


def _normed(layer: keras.layers.Layer, norm: str, name: str) -> keras.layers.Layer:
  return MeanOnlyWeightNorm(layer, WN_MOMENTUM, name=name) if norm != "none" else layer


@register_network(
  "triple_gan_classifier",
  role="discriminator",  # an image -> logits net, as D (the registry's roles)
  official_name="build_network (x2y_yz2x_xy2p_ssl_cifar10.py)",
  paper_kwargs={},
  # W + g + b of each WN layer (conv 3x3: 3*128, 128*128 x2, 128*256, 256*256 x2, 256*512; NIN
  # 512*256, 256*128; dense 128*10), counted by hand from the official layers
  # (docs/official_counts.md)
  official_params=3_121_812,
  tiny_kwargs={"width": 0.0625, "image_size": 16, "noise_std": 0.0, "dropout": 0.0, "norm": "none"},
  tiny_input_shape=(16, 16, 3),
)
def triple_gan_classifier(
  *,
  num_classes: int = NUM_CLASSES,
  image_size: int = 32,  # official dim_input=(32, 32)
  width: float = 1.0,  # channel multiplier (1 = official 128 / 256 / 512)
  noise_std: float = NOISE_STD,
  dropout: float = DROPOUT,
  norm: str = "mean_only_weight_norm",  # official mean_only_bn (WN)
  name: str = "triple_gan_classifier",
) -> keras.Model:
  """Images float32 [N, S, S, 3] -> class logits [N, num_classes]."""
  if norm not in NORMS:
    raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
  if num_classes < 1:
    raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
  if width <= 0:
    raise ValueError(f"width must be > 0, got {width!r}")
  if image_size < 12 or image_size % 4:
    raise ValueError(f"image_size must be a multiple of 4 and >= 12, got {image_size!r}")
  if noise_std < 0 or not 0.0 <= dropout < 1.0:
    raise ValueError(f"need noise_std >= 0 and dropout in [0, 1), got {noise_std!r}, {dropout!r}")
  init = keras.initializers.RandomNormal(stddev=INIT_STD)
  inputs = keras.Input((image_size, image_size, 3), name="image")
  x = keras.layers.GaussianNoise(noise_std, name="noise")(inputs) if noise_std else inputs
  for i, block in enumerate(_BLOCKS):
    for layer_name, channels, kernel, padding in block:
      conv = keras.layers.Conv2D(
        max(1, round(channels * width)),
        kernel,
        padding=padding,
        use_bias=norm == "none",
        kernel_initializer=init,
        name=f"{layer_name}_conv" if norm != "none" else layer_name,
      )
      x = _normed(conv, norm, layer_name)(x)
      x = keras.layers.LeakyReLU(LEAK, name=f"{layer_name}_lrelu")(x)
    if i < 2:
      x = keras.layers.MaxPooling2D(2, name=f"pool{i + 1}")(x)
      if dropout:
        x = keras.layers.Dropout(dropout, name=f"drop{i + 1}")(x)
  x = keras.layers.GlobalAveragePooling2D(name="pool3")(x)
  dense = keras.layers.Dense(
    num_classes,
    use_bias=norm == "none",
    kernel_initializer=init,
    name="dense_dense" if norm != "none" else "dense",
  )
  x = _normed(dense, norm, "dense")(x)
  # float32 logits under a mixed-precision policy (the losses' dtype)
  logits = keras.layers.Activation("linear", dtype="float32", name="logits")(x)
  return keras.Model(inputs, logits, name=name)
