"""The StyleGAN2 generator (Karras et al. 2020, config-f, skip G) in PyTorch, written from the
behaviour of the official code, in the two official parameter layouts: a reference for checkpoint
import parity tests (torch is optional).

`Generator`: the module tree and state_dict names of NVlabs/stylegan2-ada-pytorch
`training/networks.py` (Generator -> mapping: MappingNetwork, synthesis: SynthesisNetwork ->
b{res}: SynthesisBlock -> conv0 / conv1: SynthesisLayer, torgb: ToRGBLayer), its conventions:
FullyConnectedLayer stores w ~ N(0, 1 / lr_mul) and uses w * lr_mul / sqrt(fan_in), b * lr_mul;
the style of a conv is affine(w) (bias init 1); ToRGB's style is affine(w) / sqrt(fan_in);
modulated_conv2d non-fused: x * s, conv (up: transposed stride-2 conv, then the [1,3,3,1] FIR
filter, upfirdn2d padding 1 and gain 4), times the demodulation 1 / sqrt(sum (w s)^2 + 1e-8),
plus noise (noise_strength * noise_const), then bias, lrelu(0.2) * sqrt(2); skip: img =
upsample2d(img) + torgb(x) (upfirdn2d up 2, padding (2, 1), gain 4). conv_clamp (official
default None) and float16 layers are left out, as in the Keras generator.

`RosinalityGenerator`: the module tree and state_dict names of rosinality/stylegan2-pytorch
`model.py` (style.{1..n_mlp}: EqualLinear, input.input, conv1 / to_rgb1, convs.{i}: StyledConv,
to_rgbs.{i}: ToRGB, noises.noise_{i}), its conventions: EqualLinear the same as above; the
equalized scale 1 / sqrt(fan_in) on the conv weight [1, out, in, k, k] (not on the style); the
conv fused (grouped by sample); Blur / Upsample kernels stored scaled by 4; ToRGB bias [1, C, 1, 1];
FusedLeakyReLU bias; NoiseInjection weight [1]; no stored w_avg (official generate.py takes
`mean_latent(4096)`). Channels come from `channels` (res -> width) so that narrow test nets
keep the layout; the official ones are 512 up to 32 px, then 256 / 128 / 64 / 32 / 16 times
channel_multiplier.

Both map z [N, z_dim] to NCHW images with the stored noise (official noise_mode 'const' /
randomize_noise=False; a SynthesisLayer's `noise_mode` "random" draws N(0, 1) noise [N, 1, H, W]
in each call, as the official training loop); truncation: `truncation_psi` towards the stored
w_avg (stylegan2-ada), `truncation` towards a given `truncation_latent` (rosinality).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

FIR = (1.0, 3.0, 3.0, 1.0)  # official resample_filter / blur_kernel [1, 3, 3, 1]
LRELU_SLOPE, LRELU_GAIN = 0.2, math.sqrt(2.0)  # official bias_act 'lrelu' / FusedLeakyReLU
DEMOD_EPS = 1e-8  # official modulated_conv2d / ModulatedConv2d
PIXEL_NORM_EPS = 1e-8  # official normalize_2nd_moment / PixelNorm


def fir_filter() -> torch.Tensor:
  """[4, 4] outer product of FIR, normalised to sum 1 (official upfirdn2d.setup_filter)."""
  f = torch.tensor(FIR)
  f = torch.outer(f, f)
  return f / f.sum()


def upfirdn2d(x: torch.Tensor, f: torch.Tensor, up: int, pad: tuple, gain: float) -> torch.Tensor:
  """Official upfirdn2d on NCHW: zero-insertion up-sampling by `up`, padding (x0, x1, y0, y1),
  convolution with f * gain (a true convolution: f flipped for conv2d)."""
  n, c, h, w = x.shape
  if up > 1:
    x = x.reshape(n, c, h, 1, w, 1)  # [n, c, h, 1, w, 1]
    x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])  # [n, c, h, up, w, up]
    x = x.reshape(n, c, h * up, w * up)  # [n, c, h up, w up]
  x = F.pad(x, list(pad))
  weight = (f * gain).flip([0, 1])[None, None].repeat(c, 1, 1, 1)  # [c, 1, 4, 4]
  return F.conv2d(x, weight.to(x.dtype), groups=c)


def bias_lrelu(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
  """Official bias_act(act='lrelu'): lrelu(x + b, 0.2) * sqrt(2)."""
  return F.leaky_relu(x + bias[None, :, None, None], LRELU_SLOPE) * LRELU_GAIN


def pixel_norm(z: torch.Tensor) -> torch.Tensor:
  return z * (z.square().mean(dim=1, keepdim=True) + PIXEL_NORM_EPS).rsqrt()


def channels_of(img_resolution: int, channel_base: int, channel_max: int) -> dict[int, int]:
  """Official SynthesisNetwork channels_dict: res -> min(channel_base // res, channel_max)."""
  log2 = int(math.log2(img_resolution))
  return {2**i: min(channel_base // 2**i, channel_max) for i in range(2, log2 + 1)}


class FullyConnectedLayer(nn.Module):
  """Official FullyConnectedLayer: weight [out, in], bias [out]; lrelu or linear."""

  def __init__(self, in_features: int, out_features: int, *, lr_multiplier=1.0, bias_init=0.0):
    super().__init__()
    self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
    self.bias = nn.Parameter(torch.full([out_features], float(bias_init)))
    self.weight_gain = lr_multiplier / math.sqrt(in_features)
    self.bias_gain = lr_multiplier

  def forward(self, x: torch.Tensor, activation: bool = False) -> torch.Tensor:
    x = x @ (self.weight * self.weight_gain).t() + self.bias * self.bias_gain
    return F.leaky_relu(x, LRELU_SLOPE) * LRELU_GAIN if activation else x


class MappingNetwork(nn.Module):
  """Official MappingNetwork (c_dim 0): pixel norm, fc0..fc{L-1} lrelu, w_avg buffer."""

  def __init__(self, z_dim: int, w_dim: int, num_layers: int, lr_multiplier: float):
    super().__init__()
    self.num_layers = num_layers
    for i in range(num_layers):
      fc = FullyConnectedLayer(z_dim if i == 0 else w_dim, w_dim, lr_multiplier=lr_multiplier)
      setattr(self, f"fc{i}", fc)
    self.register_buffer("w_avg", torch.zeros([w_dim]))

  def forward(self, z: torch.Tensor) -> torch.Tensor:
    x = pixel_norm(z)
    for i in range(self.num_layers):
      x = getattr(self, f"fc{i}")(x, activation=True)
    return x


class SynthesisLayer(nn.Module):
  """Official SynthesisLayer: affine, weight [out, in, 3, 3], bias, noise_strength, noise_const,
  resample_filter; 2x up-sampling when `up`."""

  def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: bool):
    super().__init__()
    self.up = up
    self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
    self.weight = nn.Parameter(torch.randn([out_channels, in_channels, 3, 3]))
    self.bias = nn.Parameter(torch.zeros([out_channels]))
    self.register_buffer("resample_filter", fir_filter())
    self.register_buffer("noise_const", torch.randn([resolution, resolution]))
    self.noise_strength = nn.Parameter(torch.zeros([]))
    self.noise_mode = "const"  # official forward noise_mode: 'const' here, 'random' in training

  def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    styles = self.affine(w)  # [N, in]
    modulated = self.weight[None] * styles[:, None, :, None, None]  # [N, out, in, 3, 3]
    dcoefs = (modulated.square().sum([2, 3, 4]) + DEMOD_EPS).rsqrt()  # [N, out]
    x = x * styles[:, :, None, None]
    if self.up:  # transposed conv stride 2, no padding: 2H + 1; FIR padding 1, 4 taps: 2H
      x = F.conv_transpose2d(x, self.weight.transpose(0, 1), stride=2)
      x = upfirdn2d(x, self.resample_filter, 1, (1, 1, 1, 1), 4.0)
    else:
      x = F.conv2d(x, self.weight, padding=1)
    noise = self.noise_const
    if self.noise_mode == "random":  # official torch.randn([N, 1, H, W])
      noise = torch.randn([x.shape[0], 1, x.shape[2], x.shape[3]], dtype=x.dtype)
    x = x * dcoefs[:, :, None, None] + noise * self.noise_strength
    return bias_lrelu(x, self.bias)


class ToRGBLayer(nn.Module):
  """Official ToRGBLayer: affine, weight [C, in, 1, 1], bias; modulated, not demodulated."""

  def __init__(self, in_channels: int, img_channels: int, w_dim: int):
    super().__init__()
    self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
    self.weight = nn.Parameter(torch.randn([img_channels, in_channels, 1, 1]))
    self.bias = nn.Parameter(torch.zeros([img_channels]))
    self.weight_gain = 1 / math.sqrt(in_channels)

  def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    styles = self.affine(w) * self.weight_gain
    return F.conv2d(x * styles[:, :, None, None], self.weight) + self.bias[None, :, None, None]


class SynthesisBlock(nn.Module):
  """Official SynthesisBlock, skip architecture: const (4 px) or conv0 (up), conv1, torgb."""

  def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, img_c: int):
    super().__init__()
    self.in_channels = in_channels
    if in_channels == 0:
      self.const = nn.Parameter(torch.randn([out_channels, resolution, resolution]))
    else:
      self.conv0 = SynthesisLayer(in_channels, out_channels, w_dim, resolution, up=True)
    self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, resolution, up=False)
    self.torgb = ToRGBLayer(out_channels, img_c, w_dim)
    self.register_buffer("resample_filter", fir_filter())

  def forward(self, x, img, ws: list[torch.Tensor]):
    if self.in_channels == 0:
      x = self.conv1(self.const[None].repeat(ws[0].shape[0], 1, 1, 1), ws[0])
    else:
      x = self.conv1(self.conv0(x, ws[0]), ws[1])
    y = self.torgb(x, ws[-1])
    if img is not None:  # official upsample2d: up 2, padding (2, 1) each axis, gain 4
      img = upfirdn2d(img, self.resample_filter, 2, (2, 1, 2, 1), 4.0)
    return x, y if img is None else img + y


class SynthesisNetwork(nn.Module):
  """Official SynthesisNetwork: b4 .. b{img_resolution}; num_ws = 2 log2(res) - 2."""

  def __init__(self, w_dim, img_resolution, img_channels, channel_base, channel_max):
    super().__init__()
    self.channels = channels_of(img_resolution, channel_base, channel_max)
    self.resolutions = list(self.channels)
    for res in self.resolutions:
      in_channels = self.channels[res // 2] if res > 4 else 0
      block = SynthesisBlock(in_channels, self.channels[res], w_dim, res, img_channels)
      setattr(self, f"b{res}", block)
    self.num_ws = 2 * len(self.resolutions)

  def forward(self, ws: torch.Tensor) -> torch.Tensor:
    x = img = None
    w_idx = 0
    for res in self.resolutions:
      n = 2 if res == 4 else 3  # (conv1, torgb) or (conv0, conv1, torgb); torgb shares the next
      x, img = getattr(self, f"b{res}")(x, img, [ws[:, w_idx + j] for j in range(n)])
      w_idx += n - 1
    return img


class Generator(nn.Module):
  """Official Generator (stylegan2-ada-pytorch layout): mapping + synthesis."""

  def __init__(
    self,
    *,
    z_dim: int,
    w_dim: int,
    img_resolution: int,
    img_channels: int = 3,
    channel_base: int = 32768,  # official SynthesisNetwork channel_base (fmaps 1)
    channel_max: int = 512,  # official channel_max
    num_layers: int = 8,  # official mapping_kwargs num_layers (cfg 'map')
    lr_multiplier: float = 0.01,  # official MappingNetwork lr_multiplier
  ):
    super().__init__()
    self.mapping = MappingNetwork(z_dim, w_dim, num_layers, lr_multiplier)
    self.synthesis = SynthesisNetwork(
      w_dim, img_resolution, img_channels, channel_base, channel_max
    )

  def forward(self, z: torch.Tensor, truncation_psi: float = 1.0) -> torch.Tensor:
    w = self.mapping(z)
    w = self.mapping.w_avg + truncation_psi * (w - self.mapping.w_avg)  # official w_avg.lerp
    ws = w[:, None].repeat(1, self.synthesis.num_ws, 1)  # [N, num_ws, w_dim]
    return self.synthesis(ws)


class EqualLinear(nn.Module):
  """rosinality EqualLinear: weight [out, in] ~ N(0, 1 / lr_mul), used as w * lr_mul /
  sqrt(in), bias * lr_mul; activation: fused lrelu(x + b) * sqrt(2)."""

  def __init__(self, in_dim: int, out_dim: int, *, lr_mul=1.0, bias_init=0.0):
    super().__init__()
    self.weight = nn.Parameter(torch.randn(out_dim, in_dim) / lr_mul)
    self.bias = nn.Parameter(torch.full([out_dim], float(bias_init)))
    self.scale, self.lr_mul = lr_mul / math.sqrt(in_dim), lr_mul

  def forward(self, x: torch.Tensor, activation: bool = False) -> torch.Tensor:
    x = F.linear(x, self.weight * self.scale)
    x = x + self.bias * self.lr_mul
    return F.leaky_relu(x, LRELU_SLOPE) * LRELU_GAIN if activation else x


class _Blur(nn.Module):
  def __init__(self, pad: tuple[int, int], up: int):
    super().__init__()
    self.register_buffer("kernel", fir_filter() * 4.0)  # rosinality make_kernel * factor^2
    self.pad, self.up = pad, up

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    p0, p1 = self.pad
    return upfirdn2d(x, self.kernel, self.up, (p0, p1, p0, p1), 1.0)


class _ModulatedConv2d(nn.Module):
  """rosinality ModulatedConv2d: weight [1, out, in, k, k], modulation; fused grouped conv."""

  def __init__(self, in_ch: int, out_ch: int, k: int, style_dim: int, *, up: bool, demod: bool):
    super().__init__()
    self.weight = nn.Parameter(torch.randn(1, out_ch, in_ch, k, k))
    self.modulation = EqualLinear(style_dim, in_ch, bias_init=1)
    self.scale, self.up, self.demod, self.k = 1 / math.sqrt(in_ch * k * k), up, demod, k
    if up:  # Blur(kernel, pad=((p + 1) // 2 + 1, p // 2 + 1), p = 4 - 2 - (k - 1)) = (1, 1)
      self.blur = _Blur((1, 1), 1)

  def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    s = self.modulation(style).reshape(n, 1, c, 1, 1)  # [n, 1, in, 1, 1]
    weight = self.scale * self.weight * s  # [n, out, in, k, k]
    if self.demod:
      weight = weight * (weight.square().sum([2, 3, 4]) + DEMOD_EPS).rsqrt()[:, :, None, None, None]
    out_ch = weight.shape[1]
    x = x.reshape(1, n * c, h, w)  # [1, n in, h, w]: one group per sample
    if self.up:
      weight = weight.transpose(1, 2).reshape(n * c, out_ch, self.k, self.k)  # [n in, out, k, k]
      out = self.blur(F.conv_transpose2d(x, weight, stride=2, groups=n))
    else:
      weight = weight.reshape(n * out_ch, c, self.k, self.k)  # [n out, in, k, k]
      out = F.conv2d(x, weight, padding=self.k // 2, groups=n)
    return out.reshape(n, out_ch, out.shape[2], out.shape[3])  # [n, out, H, W]


class _NoiseInjection(nn.Module):
  def __init__(self):
    super().__init__()
    self.weight = nn.Parameter(torch.zeros(1))


class _FusedLeakyReLU(nn.Module):
  def __init__(self, channels: int):
    super().__init__()
    self.bias = nn.Parameter(torch.zeros(channels))


class _StyledConv(nn.Module):
  def __init__(self, in_ch: int, out_ch: int, style_dim: int, up: bool):
    super().__init__()
    self.conv = _ModulatedConv2d(in_ch, out_ch, 3, style_dim, up=up, demod=True)
    self.noise = _NoiseInjection()
    self.activate = _FusedLeakyReLU(out_ch)

  def forward(self, x: torch.Tensor, style: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    x = self.conv(x, style) + self.noise.weight * noise
    return bias_lrelu(x, self.activate.bias)


class _ToRGB(nn.Module):
  def __init__(self, in_ch: int, style_dim: int, img_channels: int, up: bool):
    super().__init__()
    if up:  # Upsample(kernel): up 2, pad ((p + 1) // 2 + 1, p // 2), p = 4 - 2
      self.upsample = _Blur((2, 1), 2)
    self.conv = _ModulatedConv2d(in_ch, img_channels, 1, style_dim, up=False, demod=False)
    self.bias = nn.Parameter(torch.zeros(1, img_channels, 1, 1))

  def forward(self, x: torch.Tensor, style: torch.Tensor, skip: torch.Tensor | None):
    out = self.conv(x, style) + self.bias
    return out if skip is None else out + self.upsample(skip)


class _ConstantInput(nn.Module):
  def __init__(self, channels: int):
    super().__init__()
    self.input = nn.Parameter(torch.randn(1, channels, 4, 4))


class RosinalityGenerator(nn.Module):
  """rosinality/stylegan2-pytorch Generator layout (module docstring); `channels` res -> width."""

  def __init__(
    self,
    *,
    size: int,
    style_dim: int,
    n_mlp: int,
    channels: dict[int, int],
    img_channels: int = 3,
    lr_mlp: float = 0.01,  # official Generator lr_mlp
  ):
    super().__init__()
    self.n_mlp = n_mlp
    self.style = nn.ModuleList([nn.Identity()])  # index 0: official PixelNorm (no tensors)
    self.style.extend(EqualLinear(style_dim, style_dim, lr_mul=lr_mlp) for _ in range(n_mlp))
    self.input = _ConstantInput(channels[4])
    self.conv1 = _StyledConv(channels[4], channels[4], style_dim, up=False)
    self.to_rgb1 = _ToRGB(channels[4], style_dim, img_channels, up=False)
    log_size = int(math.log2(size))
    self.convs, self.to_rgbs = nn.ModuleList(), nn.ModuleList()
    self.noises = nn.Module()
    for layer in range((log_size - 2) * 2 + 1):
      res = 2 ** ((layer + 5) // 2)
      self.noises.register_buffer(f"noise_{layer}", torch.randn(1, 1, res, res))
    in_ch = channels[4]
    for i in range(3, log_size + 1):
      out_ch = channels[2**i]
      self.convs.append(_StyledConv(in_ch, out_ch, style_dim, up=True))
      self.convs.append(_StyledConv(out_ch, out_ch, style_dim, up=False))
      self.to_rgbs.append(_ToRGB(out_ch, style_dim, img_channels, up=True))
      in_ch = out_ch

  def mapping(self, z: torch.Tensor) -> torch.Tensor:
    x = pixel_norm(z)
    for i in range(1, self.n_mlp + 1):
      x = self.style[i](x, activation=True)
    return x

  def forward(
    self, z: torch.Tensor, truncation: float = 1.0, truncation_latent: torch.Tensor | None = None
  ) -> torch.Tensor:
    w = self.mapping(z)
    if truncation < 1:
      w = truncation_latent + truncation * (w - truncation_latent)
    noise = [getattr(self.noises, f"noise_{i}") for i in range(2 * len(self.to_rgbs) + 1)]
    out = self.conv1(self.input.input.repeat(z.shape[0], 1, 1, 1), w, noise[0])
    skip = self.to_rgb1(out, w, None)
    for j, to_rgb in enumerate(self.to_rgbs):
      out = self.convs[2 * j](out, w, noise[2 * j + 1])
      out = self.convs[2 * j + 1](out, w, noise[2 * j + 2])
      skip = to_rgb(out, w, skip)
    return skip


def randomize_(net: nn.Module, seed: int) -> nn.Module:
  """Every parameter and buffer of `net` redrawn (seeded) so that nothing is left at its init
  (biases 0, noise strengths 0, w_avg 0 would hide mistakes): biases, strengths and w_avg
  N(0, 0.2^2) (affine biases 1 + that), weights as their init; FIR buffers kept."""
  gen = torch.Generator().manual_seed(seed)
  with torch.no_grad():
    for name, tensor in list(net.named_parameters()) + list(net.named_buffers()):
      if name.endswith(("resample_filter", "kernel")):
        continue
      draw = torch.randn(tensor.shape, generator=gen)
      if name.endswith(("weight", "const", "input.input")) and tensor.dim() >= 2:
        tensor.copy_(draw * tensor.std().clamp_min(1e-3) if tensor.numel() > 1 else draw)
      elif "affine.bias" in name or "modulation.bias" in name:
        tensor.copy_(1.0 + 0.2 * draw)
      elif name.startswith("noises.") or name.endswith("noise_const"):
        tensor.copy_(draw)
      else:
        tensor.copy_(0.2 * draw)
  return net
