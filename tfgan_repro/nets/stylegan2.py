"""StyleGAN2's generator (mapping + skip synthesis) and residual discriminator (Karras et al. 2020,
"Analyzing and Improving the Image Quality of StyleGAN", config F: Sec. 2-4, Fig. 7, App. B).

Official code: NVlabs/stylegan2 (TF1, `training/networks_stylegan2.py` G_main / G_mapping /
G_synthesis_stylegan2 / D_stylegan2) and NVlabs/stylegan2-ada-pytorch (`training/networks.py`
Generator / MappingNetwork / SynthesisNetwork / Discriminator), whose settings are
channels(res) = min(channel_base // res, channel_max); `train.py --cfg stylegan2` (config F):
channel_base 32768, channel_max 512, 8 mapping layers, mbstd group 4; `--cfg paper256`:
channel_base 16384, mbstd group 8.

Paper symbols (StyleGAN Sec. 2, Fig. 1; StyleGAN2 Fig. 2, 7): mapping = f: z -> w; each
synthesis layer's `affine` = A (w -> styles s), its noise_strength = B; b4_const = the learnt
4x4 constant; b{R}_torgb = tRGB of the skip generator; b4_mbstd = the minibatch standard
deviation (PGGAN Sec. 3); truncation = the truncation trick in W (psi).

Layer names here -> official PyTorch module names (the map a weight import follows; PyTorch
weights [out, in, k, k] import as permute(2, 3, 1, 0), dense weights [out, in] as their
transpose, `const` [C, 4, 4] as permute(1, 2, 0)):
  G mapping (nested model "mapping"):
    mapping_norm (PixelNormalization)          normalize_2nd_moment(z)
    mapping_fc{i} kernel / bias, lrelu         mapping.fc{i}.weight / .bias (lr_multiplier 0.01)
  "truncation" (layers.Truncation) w_avg       mapping.w_avg (+ broadcast to num_ws, truncation)
  G synthesis (nested model "synthesis"), input ws [N, num_ws, w_dim]:
    ws{i} (ChannelSlice of the flat ws)         ws.narrow(1, i, 1)
    b4_const const                             synthesis.b4.const
    b{R}_conv0 (ModulatedConv2D, up 2)          synthesis.b{R}.conv0 .affine / .weight / .bias
    b{R}_conv0_noise noise_strength / noise_const   synthesis.b{R}.conv0.noise_strength /
                                                .noise_const
    b{R}_conv1, b{R}_conv1_noise                synthesis.b{R}.conv1 (b4: only conv1)
    b{R}_torgb (ToRGB; skip image up-sampled)   synthesis.b{R}.torgb .affine / .weight / .bias
  D:
    b{R}_fromrgb (EqualizedConv2D 1x1, first block only)  b{R}.fromrgb
    b{R}_conv0 (EqualizedConv2D 3x3)           b{R}.conv0
    b{R}_conv1 (DownsampleConv2D 3x3)          b{R}.conv1 (down=2)
    b{R}_skip (DownsampleConv2D 1x1, no bias)  b{R}.skip
    b4_mbstd (MinibatchStddev)                 b4.mbstd
    b4_conv, b4_fc, b4_out                     b4.conv, b4.fc, b4.out (the fc input is
                                               flattened in the official C, H, W order)
Every activation is leaky ReLU 0.2 times sqrt(2) (official bias_act 'lrelu' def_gain); the
residual D adds skip and main paths each times sqrt(0.5) (official gain=np.sqrt(0.5)).
Official options left out: mixed precision per resolution (num_fp16_res) and conv_clamp (the
float32 paper setting has neither), conditioning (c_dim 0) and the 'orig' / 'resnet' G and
'orig' / 'skip' D architectures.
"""

from __future__ import annotations

import math

import keras

from tfgan_repro.layers.channel_slice import ChannelSlice
from tfgan_repro.layers.constant_input import ConstantInput
from tfgan_repro.layers.downsample_conv2d import DownsampleConv2D
from tfgan_repro.layers.equalized_conv2d import EqualizedConv2D
from tfgan_repro.layers.equalized_dense import EqualizedDense
from tfgan_repro.layers.minibatch_stddev import MinibatchStddev
from tfgan_repro.layers.modulated_conv2d import ModulatedConv2D
from tfgan_repro.layers.noise_injection import NoiseInjection
from tfgan_repro.layers.pixel_normalization import PixelNormalization
from tfgan_repro.layers.to_rgb import ToRGB
from tfgan_repro.layers.truncation import Truncation
from tfgan_repro.nets.registry import register_network

Z_DIM = W_DIM = 512  # official train.py G_kwargs z_dim=512, w_dim=512
CHANNEL_BASE = 32768  # official train.py: channel_base = int(fmaps * 32768), config F fmaps=1
CHANNEL_MAX = 512  # official train.py channel_max = 512
MAPPING_LAYERS = 8  # official cfg_specs 'stylegan2' map=8 (paper Sec. 2: 8-layer MLP)
MAPPING_LR_MULTIPLIER = 0.01  # official MappingNetwork lr_multiplier=0.01
LRELU_SLOPE = 0.2  # official bias_act 'lrelu' alpha=0.2
ACT_GAIN = math.sqrt(2.0)  # official bias_act 'lrelu' def_gain=np.sqrt(2)
RESIDUAL_GAIN = math.sqrt(0.5)  # official DiscriminatorBlock gain=np.sqrt(0.5)
IMAGE_SIZE = 256  # config F at 256 px (paper Table 1 LSUN / ADA paper256)


def _channels(res: int, channel_base: int, channel_max: int) -> int:
  """official SynthesisNetwork / Discriminator channels_dict: min(channel_base // res, max)."""
  return min(channel_base // res, channel_max)


def _resolutions(image_size: int) -> list[int]:
  if image_size < 4 or image_size & (image_size - 1):
    raise ValueError(f"image_size must be a power of 2 >= 4, got {image_size!r}")
  return [2**i for i in range(2, int(math.log2(image_size)) + 1)]


def _check_positive(**values: int) -> None:
  bad = {k: v for k, v in values.items() if int(v) < 1}
  if bad:
    raise ValueError(f"these must be >= 1, got {bad}")


def _lrelu(x: keras.KerasTensor, name: str, gain: float = 1.0) -> keras.KerasTensor:
  """official bias_act(act='lrelu', gain=gain): lrelu(x, 0.2) * sqrt(2) * gain."""
  x = keras.layers.LeakyReLU(LRELU_SLOPE, name=f"{name}_lrelu")(x)
  return keras.layers.Rescaling(ACT_GAIN * gain, name=f"{name}_gain")(x)


def num_ws(image_size: int) -> int:
  """The ws the synthesis takes: one per conv plus the last ToRGB (official num_ws): 2 log2(S) - 2."""
  return 2 * len(_resolutions(image_size))


def stylegan2_mapping(
  *,
  z_dim: int = Z_DIM,
  w_dim: int = W_DIM,
  num_layers: int = MAPPING_LAYERS,
  lr_multiplier: float = MAPPING_LR_MULTIPLIER,
  name: str = "mapping",
) -> keras.Model:
  """The mapping network f: z [N, z_dim] -> w [N, w_dim] (official MappingNetwork without its
  w_avg / broadcast / truncation, which are the generator's `truncation` layer): z normalised
  (official normalize_2nd_moment), then `num_layers` equalised-lr dense layers with lrelu."""
  _check_positive(z_dim=z_dim, w_dim=w_dim, num_layers=num_layers)
  z = keras.Input((z_dim,), name="z")
  x = PixelNormalization(name="mapping_norm")(z)  # official eps 1e-8
  for i in range(num_layers):
    x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, name=f"mapping_fc{i}")(x)
    x = _lrelu(x, f"mapping_fc{i}")
  return keras.Model(z, x, name=name)


def stylegan2_synthesis(
  *,
  w_dim: int = W_DIM,
  image_size: int = IMAGE_SIZE,
  img_channels: int = 3,
  channel_base: int = CHANNEL_BASE,
  channel_max: int = CHANNEL_MAX,
  noise_mode: str = "random",
  fused_modconv: bool = False,
  name: str = "synthesis",
) -> keras.Model:
  """The skip synthesis network g: ws [N, num_ws, w_dim] -> images [N, S, S, img_channels]
  (official SynthesisNetwork, architecture 'skip'; no output activation)."""
  _check_positive(w_dim=w_dim, img_channels=img_channels, channel_base=channel_base)
  _check_positive(channel_max=channel_max)
  resolutions = _resolutions(image_size)
  count = num_ws(image_size)
  ws = keras.Input((count, w_dim), name="ws")
  flat = keras.layers.Reshape((count * w_dim,), name="ws_flat")(ws)  # [N, num_ws * w_dim]
  w = [ChannelSlice(i * w_dim, (i + 1) * w_dim, name=f"ws{i}")(flat) for i in range(count)]
  x = img = None
  index = 0  # official w_idx: each block starts at its first conv's w; ToRGB takes the next
  for res in resolutions:
    ch = _channels(res, channel_base, channel_max)
    convs = ["conv1"] if res == 4 else ["conv0", "conv1"]
    if res == 4:
      x = ConstantInput(ch, 4, name="b4_const")(flat)
    for j, conv in enumerate(convs):
      layer = f"b{res}_{conv}"
      up = 2 if conv == "conv0" else 1
      x = ModulatedConv2D(ch, 3, up=up, fused=fused_modconv, name=layer)([x, w[index + j]])
      x = NoiseInjection(noise_mode, name=f"{layer}_noise")(x)
      x = _lrelu(x, layer)
    index += len(convs)
    rgb_inputs = [x, w[index]] if img is None else [x, w[index], img]
    img = ToRGB(img_channels, fused=fused_modconv, name=f"b{res}_torgb")(rgb_inputs)
  # float32 images under mixed precision (Keras mixed-precision guide: last layer in float32).
  img = keras.layers.Activation("linear", dtype="float32", name="images")(img)
  return keras.Model(ws, img, name=name)


@register_network(
  "stylegan2_generator",
  role="generator",
  official_name="G_main / training.networks.Generator",  # stylegan2-ada train.py --cfg stylegan2
  paper_kwargs={},  # config F at 256 px: channel_base 32768, channel_max 512, 8 mapping layers
  # Counted from the official layer list (docs/official_counts.md): mapping 8 x (512 * 512 +
  # 512) = 2,101,248; synthesis 27,933,090.
  official_params=30_034_338,
  tiny_kwargs={
    "z_dim": 8,
    "w_dim": 8,
    "image_size": 16,
    "channel_base": 64,
    "channel_max": 8,
    "mapping_layers": 2,
    "noise_mode": "const",
  },
  tiny_input_shape=(8,),
)
def stylegan2_generator(
  *,
  z_dim: int = Z_DIM,
  w_dim: int = W_DIM,
  image_size: int = IMAGE_SIZE,
  img_channels: int = 3,
  channel_base: int = CHANNEL_BASE,
  channel_max: int = CHANNEL_MAX,
  mapping_layers: int = MAPPING_LAYERS,
  mapping_lr_multiplier: float = MAPPING_LR_MULTIPLIER,
  w_avg_beta: float = 0.995,  # official MappingNetwork w_avg_beta=0.995
  truncation_psi: float = 1.0,  # official Generator.forward truncation_psi=1 (off)
  truncation_cutoff: int | None = None,  # official truncation_cutoff=None (every w)
  noise_mode: str = "random",  # official SynthesisLayer.forward noise_mode='random'
  fused_modconv: bool = False,
  name: str = "stylegan2_generator",
) -> keras.Model:
  """G: z [N, z_dim] -> images [N, S, S, img_channels] (about [-1, 1], no output activation):
  the nested models "mapping" (z -> w) and "synthesis" (ws -> images) around the layer
  "truncation" (w_avg, broadcast to num_ws, truncation in inference calls)."""
  mapping = stylegan2_mapping(
    z_dim=z_dim, w_dim=w_dim, num_layers=mapping_layers, lr_multiplier=mapping_lr_multiplier
  )
  synthesis = stylegan2_synthesis(
    w_dim=w_dim,
    image_size=image_size,
    img_channels=img_channels,
    channel_base=channel_base,
    channel_max=channel_max,
    noise_mode=noise_mode,
    fused_modconv=fused_modconv,
  )
  z = keras.Input((z_dim,), name="z")
  ws = Truncation(
    num_ws(image_size),
    w_avg_beta=w_avg_beta,
    truncation_psi=truncation_psi,
    truncation_cutoff=truncation_cutoff,
    name="truncation",
  )(mapping(z))
  return keras.Model(z, synthesis(ws), name=name)


def _d_block(
  x: keras.KerasTensor | None,
  image: keras.KerasTensor,
  res: int,
  tmp: int,
  out: int,
) -> keras.KerasTensor:
  """official DiscriminatorBlock, architecture 'resnet' (fromrgb only in the first block)."""
  name = f"b{res}"
  if x is None:
    x = EqualizedConv2D(tmp, 1, name=f"{name}_fromrgb")(image)
    x = _lrelu(x, f"{name}_fromrgb")
  skip = DownsampleConv2D(out, 1, use_bias=False, name=f"{name}_skip")(x)
  skip = keras.layers.Rescaling(RESIDUAL_GAIN, name=f"{name}_skip_gain")(skip)
  h = EqualizedConv2D(tmp, 3, name=f"{name}_conv0")(x)
  h = _lrelu(h, f"{name}_conv0")
  h = DownsampleConv2D(out, 3, name=f"{name}_conv1")(h)
  h = _lrelu(h, f"{name}_conv1", gain=RESIDUAL_GAIN)
  return keras.layers.Add(name=f"{name}_add")([skip, h])


@register_network(
  "stylegan2_discriminator",
  role="discriminator",
  official_name="D_stylegan2 / training.networks.Discriminator",  # architecture 'resnet'
  paper_kwargs={},  # config F at 256 px: channel_base 32768, channel_max 512, mbstd 4 / 1
  official_params=28_864_129,  # counted from the official layer list (docs/official_counts.md)
  tiny_kwargs={"image_size": 16, "channel_base": 64, "channel_max": 8},
  tiny_input_shape=(16, 16, 3),
)
def stylegan2_discriminator(
  *,
  image_size: int = IMAGE_SIZE,
  img_channels: int = 3,
  channel_base: int = CHANNEL_BASE,
  channel_max: int = CHANNEL_MAX,
  mbstd_group_size: int = 4,  # official cfg_specs 'stylegan2' mbstd=4 (paper256: 8)
  mbstd_num_channels: int = 1,  # official DiscriminatorEpilogue mbstd_num_channels=1; 0 = off
  name: str = "stylegan2_discriminator",
) -> keras.Model:
  """D: images [N, S, S, img_channels] -> logits [N, 1] (official Discriminator, 'resnet')."""
  _check_positive(img_channels=img_channels, channel_base=channel_base, channel_max=channel_max)
  _check_positive(mbstd_group_size=mbstd_group_size)
  if mbstd_num_channels < 0:
    raise ValueError(f"mbstd_num_channels must be >= 0, got {mbstd_num_channels!r}")
  resolutions = _resolutions(image_size)
  if image_size < 8:
    raise ValueError(
      f"image_size must be >= 8 (one block before the 4x4 epilogue), got {image_size}"
    )
  ch = lambda res: _channels(res, channel_base, channel_max)  # noqa: E731
  image = keras.Input((image_size, image_size, img_channels), name="image")
  x = None
  for res in reversed(resolutions[1:]):
    x = _d_block(x, image, res, ch(res), ch(res // 2))
  if mbstd_num_channels:
    x = MinibatchStddev(mbstd_group_size, mbstd_num_channels, name="b4_mbstd")(x)
  x = _lrelu(EqualizedConv2D(ch(4), 3, name="b4_conv")(x), "b4_conv")
  x = keras.layers.Permute((3, 1, 2), name="b4_nchw")(x)  # [N, C, 4, 4]: official flatten order
  x = keras.layers.Flatten(name="b4_flatten")(x)  # [N, C * 16]
  x = _lrelu(EqualizedDense(ch(4), name="b4_fc")(x), "b4_fc")
  x = EqualizedDense(1, name="b4_out")(x)
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  return keras.Model(
    image, keras.layers.Activation("linear", dtype="float32", name="logits")(x), name=name
  )
