"""Official StyleGAN2 generator weights -> one state dict in the stylegan2-ada-pytorch layout ->
this library's Keras StyleGAN2 generator; no torch, nothing of the files run (safe_pickle).

Sources:
- NVlabs/stylegan2-ada-pytorch network pickles (`network-snapshot-*.pkl`, the converted official
  TF pickles of `legacy.py` too): the pickled dict's 'G_ema' (or 'G'), an nn.Module pickled by
  torch_utils.persistence; its state dict and its `init_kwargs` (z_dim, c_dim, w_dim,
  img_resolution, img_channels, mapping_kwargs num_layers / lr_multiplier, synthesis_kwargs
  channel_base / channel_max / num_fp16_res / conv_clamp / architecture).
- rosinality/stylegan2-pytorch checkpoints (`train.py`: torch.save({'g', 'd', 'g_ema', 'g_optim',
  'd_optim', 'args'})): 'g_ema', read with the same restricted unpickler (tensors, containers and
  the argparse.Namespace `args` as an inert record). The architecture is read from the shapes
  (n_mlp, style_dim, size, channels), checked against `args` (size, n_mlp, latent) when present.

stylegan2-ada-pytorch names (the layout everything is converted to; shapes for w_dim W, C_r the
channels at resolution r, img_channels 3):
  mapping.fc{i}.weight [W, W] (fc0 [W, z_dim]), .bias [W]   fc i of the mapping (lr mul 0.01)
  mapping.w_avg [W]                                          the tracked mean of w (truncation)
  synthesis.b4.const [C_4, 4, 4]                             the constant input
  synthesis.b{r}.conv0 (r > 4, up 2), .conv1:                the modulated 3x3 convs
    .weight [C_r, C_in, 3, 3], .bias [C_r], .affine.weight [C_in, W], .affine.bias [C_in],
    .noise_strength [], .noise_const [r, r], .resample_filter [4, 4]
  synthesis.b{r}.torgb: .weight [3, C_r, 1, 1], .bias [3], .affine.weight / .bias
  synthesis.b{r}.resample_filter [4, 4]                      skip up-sampling filter
rosinality -> stylegan2-ada (all reshapes; the scale conventions are the same: EqualLinear and
FullyConnectedLayer both store w ~ N(0, 1 / lr_mul) and use w lr_mul / sqrt(fan_in) and
b lr_mul; ModulatedConv2d multiplies the weight by 1 / sqrt(fan_in) where ToRGBLayer multiplies
the style, the same product; the 3x3 convs are demodulated, which cancels the constant):
  style.{i + 1}.weight / .bias      mapping.fc{i}.weight / .bias
  input.input [1, C, 4, 4]          synthesis.b4.const [C, 4, 4]
  conv1 / to_rgb1                   synthesis.b4.conv1 / synthesis.b4.torgb
  convs.{2k} / convs.{2k + 1}       synthesis.b{2^(k+3)}.conv0 / .conv1
  to_rgbs.{k}                       synthesis.b{2^(k+3)}.torgb
  *.conv.weight [1, O, I, k, k]     *.weight [O, I, k, k]
  *.conv.modulation.weight / .bias  *.affine.weight / .bias
  *.noise.weight [1]                *.noise_strength []
  *.activate.bias / to_rgb*.bias [1, 3, 1, 1]   *.bias [O] / [3]
  noises.noise_{l} [1, 1, r, r]     l = 0: b4.conv1; l = 2k + 1 / 2k + 2: b{2^(k+3)}.conv0 / .conv1
  *.blur.kernel, *.upsample.kernel  the FIR filter times 4: checked, not copied
rosinality stores no w_avg: official generate.py truncates towards `mean_latent(4096)`, the mean
of w over 4096 random z; here the mean over MEAN_LATENT_SAMPLES z of a fixed seed (numpy), so
truncated images differ from a given official run by that estimate's noise.

stylegan2-ada -> Keras (`tfgan_repro.nets.stylegan2`): see `keras_targets`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from tfgan_repro.convert import safe_pickle
from tfgan_repro.convert.torch_checkpoint import (
  _check_finite,
  _listed,
  key_problems,
  shape_differences,
)
from tfgan_repro.nets.stylegan2 import stylegan2_generator

ADA_NETWORKS = ("G_ema", "G")  # official network-snapshot keys holding a generator
ROSINALITY_NETWORKS = ("g_ema", "g")  # official rosinality train.py checkpoint keys
MEAN_LATENT_SAMPLES = 4096  # rosinality generate.py --truncation_mean 4096
MEAN_LATENT_SEED = 0  # any fixed seed: the import is deterministic (official: fresh torch.randn)
FIR_TAPS = (1.0, 3.0, 3.0, 1.0)  # official resample_filter / blur_kernel [1, 3, 3, 1]
LRELU_SLOPE, LRELU_GAIN = 0.2, math.sqrt(2.0)  # official bias_act 'lrelu' / FusedLeakyReLU
PIXEL_NORM_EPS = 1e-8  # official normalize_2nd_moment
FILTER_TOLERANCE = 1e-6  # float32 rounding of the stored [1, 3, 3, 1] filters (values ~1e-2)
# A legacy torch.save file starts with the pickled magic number (protocol 2, LONG1 of 10 bytes).
LEGACY_HEAD = b"\x80\x02\x8a\x0a" + safe_pickle.LEGACY_MAGIC.to_bytes(10, "little")


@dataclasses.dataclass(frozen=True)
class StyleGAN2Config:
  """The generator hyper-parameters (stylegan2-ada-pytorch Generator / MappingNetwork /
  SynthesisNetwork arguments); defaults: official config-f (train.py cfg 'stylegan2')."""

  z_dim: int = 512  # official Generator z_dim
  w_dim: int = 512  # official Generator w_dim
  img_resolution: int = 1024
  img_channels: int = 3
  channel_base: int = 32768  # official cfg fmaps 1: int(fmaps * 32768)
  channel_max: int = 512  # official SynthesisNetwork channel_max
  mapping_layers: int = 8  # official cfg 'map': 8
  lr_multiplier: float = 0.01  # official MappingNetwork lr_multiplier
  num_fp16_res: int = 0  # official synthesis_kwargs num_fp16_res (float32 here either way)
  conv_clamp: float | None = None  # official synthesis_kwargs conv_clamp

  @property
  def resolutions(self) -> tuple[int, ...]:
    return tuple(2**i for i in range(2, int(math.log2(self.img_resolution)) + 1))

  def channels(self, res: int) -> int:
    """Official SynthesisNetwork channels_dict: min(channel_base // res, channel_max)."""
    return min(self.channel_base // res, self.channel_max)


@dataclasses.dataclass(frozen=True)
class ImportedGenerator:
  """An official generator read from `source` (its path): `state_dict` in the stylegan2-ada
  layout (mapping.w_avg included), its `config`, the `layout` it came in ("stylegan2-ada" |
  "rosinality") and where w_avg came from."""

  source: str
  layout: str
  config: StyleGAN2Config
  state_dict: dict[str, np.ndarray]
  w_avg_from: str


def fir_filter() -> np.ndarray:
  """[4, 4] FIR filter normalised to sum 1 (official upfirdn2d.setup_filter([1, 3, 3, 1]))."""
  f = np.outer(FIR_TAPS, FIR_TAPS)
  return (f / f.sum()).astype(np.float32)


def ada_shapes(config: StyleGAN2Config) -> dict[str, tuple[int, ...]]:
  """stylegan2-ada-pytorch Generator state dict names -> shapes for `config` (module docstring)."""
  c, w = config, config.w_dim
  shapes: dict[str, tuple[int, ...]] = {}
  for i in range(c.mapping_layers):
    shapes[f"mapping.fc{i}.weight"] = (w, c.z_dim if i == 0 else w)
    shapes[f"mapping.fc{i}.bias"] = (w,)
  shapes["mapping.w_avg"] = (w,)
  for res in c.resolutions:
    block, out = f"synthesis.b{res}", c.channels(res)
    layers = {"conv1": out}
    if res == 4:
      shapes[f"{block}.const"] = (out, 4, 4)
    else:
      layers = {"conv0": c.channels(res // 2), "conv1": out}
    for name, cin in layers.items():
      shapes.update(
        {
          f"{block}.{name}.weight": (out, cin, 3, 3),
          f"{block}.{name}.noise_strength": (),
          f"{block}.{name}.bias": (out,),
          f"{block}.{name}.resample_filter": (4, 4),
          f"{block}.{name}.noise_const": (res, res),
          f"{block}.{name}.affine.weight": (cin, w),
          f"{block}.{name}.affine.bias": (cin,),
        }
      )
    shapes.update(
      {
        f"{block}.torgb.weight": (c.img_channels, out, 1, 1),
        f"{block}.torgb.bias": (c.img_channels,),
        f"{block}.torgb.affine.weight": (out, w),
        f"{block}.torgb.affine.bias": (out,),
        f"{block}.resample_filter": (4, 4),
      }
    )
  return shapes


def _check_keys(
  state_dict: Mapping[str, np.ndarray], expected: Mapping[str, tuple], source: str, layout: str
) -> None:
  """ValueError listing missing keys, unexpected keys and shape differences (checkpoint vs the
  architecture), and non-finite tensors."""
  shapes = shape_differences(state_dict, expected, "expected")
  problems = key_problems(state_dict, expected, shapes)
  if problems:
    raise ValueError(
      f"{source} does not match the {layout} StyleGAN2 generator: {'; '.join(problems)}"
    )
  _check_finite(state_dict, source)


def _check_filters(state_dict: Mapping[str, np.ndarray], names: list[str], scale: float, source):
  want = fir_filter() * scale
  bad = [k for k in names if np.max(np.abs(np.asarray(state_dict[k]) - want)) > FILTER_TOLERANCE]
  if bad:
    raise ValueError(
      f"{source}: resampling filters other than [1, 3, 3, 1] are not supported: {_listed(bad)}"
    )


def _ada_config(kwargs: Mapping[str, Any], source: str) -> StyleGAN2Config:
  """StyleGAN2Config of stylegan2-ada-pytorch Generator init kwargs; ValueError for options this
  generator does not have (class conditioning, other architectures, filters, widths)."""
  mapping = dict(kwargs.get("mapping_kwargs") or {})
  synthesis = dict(kwargs.get("synthesis_kwargs") or {})
  unsupported = []
  if kwargs.get("c_dim", 0):
    unsupported.append(f"c_dim={kwargs['c_dim']} (class-conditional)")
  if synthesis.get("architecture", "skip") != "skip":
    unsupported.append(f"architecture={synthesis['architecture']!r}")
  if tuple(synthesis.get("resample_filter", FIR_TAPS)) != FIR_TAPS:
    unsupported.append(f"resample_filter={synthesis['resample_filter']!r}")
  for key in ("embed_features", "layer_features"):
    if mapping.get(key) not in (None, kwargs.get("w_dim")):
      unsupported.append(f"mapping {key}={mapping[key]!r}")
  for key, block in (("mapping", mapping), ("synthesis", synthesis)):
    if block.get("activation", "lrelu") != "lrelu":
      unsupported.append(f"{key} activation={block['activation']!r}")
  if not synthesis.get("use_noise", True):
    unsupported.append("use_noise=False")
  if unsupported:
    raise ValueError(f"{source}: unsupported generator options: {', '.join(unsupported)}")
  try:
    return StyleGAN2Config(
      z_dim=int(kwargs["z_dim"]),
      w_dim=int(kwargs["w_dim"]),
      img_resolution=int(kwargs["img_resolution"]),
      img_channels=int(kwargs.get("img_channels", 3)),
      channel_base=int(synthesis.get("channel_base", 32768)),  # official SynthesisNetwork default
      channel_max=int(synthesis.get("channel_max", 512)),  # official SynthesisNetwork default
      mapping_layers=int(mapping.get("num_layers", 8)),  # official MappingNetwork default
      lr_multiplier=float(mapping.get("lr_multiplier", 0.01)),  # official MappingNetwork default
      num_fp16_res=int(synthesis.get("num_fp16_res", 0)),
      conv_clamp=None if synthesis.get("conv_clamp") is None else float(synthesis["conv_clamp"]),
    )
  except KeyError as err:
    raise ValueError(f"{source}: the generator's init_kwargs lack {err}") from err


_ADA_POSITIONAL = ("z_dim", "c_dim", "w_dim", "img_resolution", "img_channels")  # official order


def _init_kwargs(obj: Any, source: str) -> dict[str, Any]:
  state = safe_pickle.module_state(obj)
  kwargs = dict(safe_pickle.plain(state.get("_init_kwargs") or {}))
  kwargs.update(
    zip(_ADA_POSITIONAL, safe_pickle.plain(state.get("_init_args") or ()), strict=False)
  )
  for key in _ADA_POSITIONAL:  # the attributes Generator.__init__ sets, where kwargs lack them
    if key not in kwargs and key in state:
      kwargs[key] = state[key]
  if not kwargs:
    raise ValueError(f"{source}: the generator carries no init_kwargs (not a persistence pickle)")
  return kwargs


def _is_torch_save(path: str) -> bool:
  """Whether `path` is a torch.save file: a zip archive or the legacy layout's magic number."""
  try:
    with open(path, "rb") as f:
      head = f.read(len(LEGACY_HEAD))
  except OSError as err:
    raise ValueError(f"cannot read checkpoint {path!r}: {err}") from err
  return head == LEGACY_HEAD or zipfile.is_zipfile(path)


def _load(loader: Any, path: str) -> Any:
  """loader(path); its errors (refused calls, other formats) name the file."""
  try:
    return loader(path)
  except safe_pickle.UnsafePickleError as err:
    raise safe_pickle.UnsafePickleError(f"{path!r}: {err}") from err
  except ValueError as err:
    raise ValueError(f"{path!r}: {err}") from err


def _check_network(data: Any, network: str, path: str, what: str) -> None:
  """ValueError unless the loaded `data` is a mapping holding `network`."""
  if not isinstance(data, Mapping) or network not in data:
    keys = sorted(data) if isinstance(data, Mapping) else type(data).__name__
    raise ValueError(f"{path!r} is not {what} with {network!r}: {keys}")


def read_stylegan2_ada_pickle(path: str, network: str = "G_ema") -> ImportedGenerator:
  """The generator `network` ("G_ema" or "G") of a stylegan2-ada-pytorch network pickle, read
  without running it (safe_pickle; UnsafePickleError, a ValueError, for a pickle that calls
  anything else)."""
  if network not in ADA_NETWORKS:
    raise ValueError(f"network must be one of {ADA_NETWORKS}, got {network!r}")
  if _is_torch_save(path):
    raise ValueError(
      f"{path!r} is a torch.save file, not a stylegan2-ada-pytorch network pickle (a "
      "rosinality/stylegan2-pytorch checkpoint? read it with read_rosinality_checkpoint)"
    )
  data = _load(safe_pickle.load_network_pickle, path)
  _check_network(data, network, path, "a stylegan2-ada-pytorch network pickle")
  obj = data[network]
  source = f"{path!r} [{network!r}]"
  config = _ada_config(_init_kwargs(obj, source), source)
  state_dict = safe_pickle.module_state_dict(obj)
  _check_keys(state_dict, ada_shapes(config), source, "stylegan2-ada-pytorch")
  _check_filters(state_dict, [k for k in state_dict if k.endswith("resample_filter")], 1.0, source)
  state_dict = {k: v for k, v in state_dict.items() if not k.endswith("resample_filter")}
  return ImportedGenerator(path, "stylegan2-ada", config, state_dict, "checkpoint (mapping.w_avg)")


def _count(state_dict: Mapping[str, Any], prefix: str, suffix: str, start: int = 0) -> int:
  """How many of prefix{start}suffix, prefix{start + 1}suffix, ... are keys, in a row."""
  n = 0
  while f"{prefix}{start + n}{suffix}" in state_dict:
    n += 1
  return n


def _rosinality_config(sd: Mapping[str, np.ndarray], args: Mapping, source: str) -> StyleGAN2Config:
  """The architecture of a rosinality g_ema state dict, from its shapes (module docstring)."""
  try:
    n_mlp = _count(sd, "style.", ".weight", start=1)  # style.0: PixelNorm, no tensors
    w_dim, z_dim = np.shape(sd["style.1.weight"])
    levels = _count(sd, "to_rgbs.", ".conv.weight")
    channels = {4: int(np.shape(sd["input.input"])[1])}
    for k in range(levels):
      channels[2 ** (k + 3)] = int(np.shape(sd[f"convs.{2 * k}.conv.weight"])[1])
    img_channels = int(np.shape(sd["to_rgb1.conv.weight"])[1])
  except (KeyError, ValueError, IndexError) as err:
    raise ValueError(
      f"{source} is not a rosinality/stylegan2-pytorch Generator state dict: lacks {err}"
    ) from err
  resolution = 2 ** (levels + 2)
  for key, value in (("size", resolution), ("n_mlp", n_mlp), ("latent", w_dim)):
    if key in args and int(args[key]) != value:
      raise ValueError(f"{source}: args.{key}={args[key]!r} but the weights give {key}={value}")
  channel_max = max(channels.values())
  narrower = [r for r in sorted(channels) if channels[r] < channel_max]
  channel_base = channels[narrower[0]] * narrower[0] if narrower else channel_max * resolution
  config = StyleGAN2Config(
    z_dim=int(z_dim),
    w_dim=int(w_dim),
    img_resolution=resolution,
    img_channels=img_channels,
    channel_base=channel_base,
    channel_max=channel_max,
    mapping_layers=n_mlp,
    lr_multiplier=float(args.get("lr_mlp", 0.01)),  # official rosinality Generator lr_mlp
  )
  if {r: config.channels(r) for r in channels} != channels:
    raise ValueError(
      f"{source}: channels {channels} do not follow min(channel_base // res, channel_max)"
    )
  return config


def rosinality_names(config: StyleGAN2Config) -> dict[str, str | None]:
  """rosinality g_ema name -> stylegan2-ada name (None: a FIR kernel buffer, checked only)."""
  names: dict[str, str | None] = {}
  for i in range(config.mapping_layers):
    for p in ("weight", "bias"):
      names[f"style.{i + 1}.{p}"] = f"mapping.fc{i}.{p}"
  names["input.input"] = "synthesis.b4.const"

  def styled(ros: str, ada: str, up: bool) -> None:
    names.update(
      {
        f"{ros}.conv.weight": f"{ada}.weight",
        f"{ros}.conv.modulation.weight": f"{ada}.affine.weight",
        f"{ros}.conv.modulation.bias": f"{ada}.affine.bias",
        f"{ros}.noise.weight": f"{ada}.noise_strength",
        f"{ros}.activate.bias": f"{ada}.bias",
      }
    )
    if up:
      names[f"{ros}.conv.blur.kernel"] = None

  def to_rgb(ros: str, ada: str, up: bool) -> None:
    names.update(
      {
        f"{ros}.conv.weight": f"{ada}.weight",
        f"{ros}.conv.modulation.weight": f"{ada}.affine.weight",
        f"{ros}.conv.modulation.bias": f"{ada}.affine.bias",
        f"{ros}.bias": f"{ada}.bias",
      }
    )
    if up:
      names[f"{ros}.upsample.kernel"] = None

  styled("conv1", "synthesis.b4.conv1", False)
  to_rgb("to_rgb1", "synthesis.b4.torgb", False)
  names["noises.noise_0"] = "synthesis.b4.conv1.noise_const"
  for k, res in enumerate(config.resolutions[1:]):
    block = f"synthesis.b{res}"
    styled(f"convs.{2 * k}", f"{block}.conv0", True)
    styled(f"convs.{2 * k + 1}", f"{block}.conv1", False)
    to_rgb(f"to_rgbs.{k}", f"{block}.torgb", True)
    names[f"noises.noise_{2 * k + 1}"] = f"{block}.conv0.noise_const"
    names[f"noises.noise_{2 * k + 2}"] = f"{block}.conv1.noise_const"
  return names


def _rosinality_shape(name: str, ada_shape: tuple[int, ...] | None) -> tuple[int, ...]:
  if ada_shape is None:  # a FIR kernel buffer
    return (4, 4)
  if name.endswith("conv.weight") or name == "input.input":
    return (1, *ada_shape)
  if name.endswith("noise.weight"):
    return (1,)
  if name.startswith("noises."):
    return (1, 1, *ada_shape)
  if name.startswith("to_rgb") and name.endswith(".bias") and ".conv." not in name:
    return (1, ada_shape[0], 1, 1)
  return ada_shape


def mapping(state_dict: Mapping[str, np.ndarray], config: StyleGAN2Config, z: np.ndarray):
  """w [N, w_dim] of z [N, z_dim] through the mapping weights (numpy, float64): pixel norm, then
  each fc: lrelu(x (W lr_mul / sqrt(fan_in))^T + b lr_mul) sqrt(2) (official MappingNetwork)."""
  x = np.asarray(z, np.float64)
  x = x / np.sqrt(np.mean(x**2, axis=1, keepdims=True) + PIXEL_NORM_EPS)
  for i in range(config.mapping_layers):
    weight = np.asarray(state_dict[f"mapping.fc{i}.weight"], np.float64)
    bias = np.asarray(state_dict[f"mapping.fc{i}.bias"], np.float64)
    x = x @ (weight * (config.lr_multiplier / math.sqrt(weight.shape[1]))).T
    x = x + bias * config.lr_multiplier
    x = np.where(x >= 0, x, LRELU_SLOPE * x) * LRELU_GAIN
  return x


def mean_latent(
  state_dict: Mapping[str, np.ndarray],
  config: StyleGAN2Config,
  samples: int = MEAN_LATENT_SAMPLES,
  seed: int = MEAN_LATENT_SEED,
) -> np.ndarray:
  """float32 [w_dim]: the mean of w over `samples` z ~ N(0, I) of `seed` (rosinality
  Generator.mean_latent)."""
  z = np.random.default_rng(seed).standard_normal((samples, config.z_dim))  # [samples, z_dim]
  return mapping(state_dict, config, z).mean(axis=0).astype(np.float32)


def read_rosinality_checkpoint(
  path: str, network: str = "g_ema", samples: int = MEAN_LATENT_SAMPLES
) -> ImportedGenerator:
  """The generator `network` ("g_ema" or "g") of a rosinality/stylegan2-pytorch checkpoint,
  converted to the stylegan2-ada layout; w_avg = mean_latent(samples)."""
  if network not in ROSINALITY_NETWORKS:
    raise ValueError(f"network must be one of {ROSINALITY_NETWORKS}, got {network!r}")
  if not _is_torch_save(path):
    raise ValueError(
      f"{path!r} is not a torch.save file (zip or legacy); a stylegan2-ada-pytorch network "
      "pickle? read it with read_stylegan2_ada_pickle"
    )
  data = _load(safe_pickle.load_torch_file, path)
  _check_network(data, network, path, "a rosinality/stylegan2-pytorch checkpoint")
  source = f"{path!r} [{network!r}]"
  sd = {str(k): np.asarray(v) for k, v in safe_pickle.plain(data[network]).items()}
  args = safe_pickle.plain(data.get("args"))
  config = _rosinality_config(sd, args if isinstance(args, Mapping) else {}, source)
  names = rosinality_names(config)
  ada = ada_shapes(config)
  expected = {k: _rosinality_shape(k, ada.get(v) if v else None) for k, v in names.items()}
  _check_keys(sd, expected, source, "rosinality/stylegan2-pytorch")
  _check_filters(sd, [k for k, v in names.items() if v is None], 4.0, source)
  state_dict = {
    ada_name: sd[name].astype(np.float32).reshape(ada[ada_name])  # rosinality -> ada shape
    for name, ada_name in names.items()
    if ada_name is not None
  }
  state_dict["mapping.w_avg"] = mean_latent(state_dict, config, samples)
  return ImportedGenerator(
    path, "rosinality", config, state_dict, f"mean of w over {samples} z (seed {MEAN_LATENT_SEED})"
  )


def read_stylegan2_checkpoint(path: str) -> ImportedGenerator:
  """A torch.save file (zip or legacy) as a rosinality checkpoint, anything else as a
  stylegan2-ada-pytorch network pickle."""
  if _is_torch_save(path):
    return read_rosinality_checkpoint(path)
  return read_stylegan2_ada_pickle(path)


@dataclasses.dataclass(frozen=True)
class _Target:
  """One Keras variable and how a stylegan2-ada tensor becomes it."""

  variable: Any
  permute: tuple[int, ...] | None  # numpy transpose axes; None: as is


def keras_targets(G: Any) -> dict[str, _Target]:
  """stylegan2-ada state dict name -> the variable of the Keras generator G
  (tfgan_repro.nets.stylegan2.stylegan2_generator, layer names in its module docstring):
    mapping.fc{i}.weight [out, in] / .bias     mapping/mapping_fc{i} kernel [in, out] / bias
    mapping.w_avg                              truncation w_avg
    synthesis.b4.const [C, 4, 4]               synthesis/b4_const const [4, 4, C]
    synthesis.b{r}.conv{j}.weight [O, I, 3, 3] synthesis/b{r}_conv{j} kernel [3, 3, I, O]; .bias
    synthesis.b{r}.conv{j}.affine.*            b{r}_conv{j} affine_kernel [W, I] / affine_bias
    synthesis.b{r}.conv{j}.noise_strength / .noise_const   b{r}_conv{j}_noise (same names)
    synthesis.b{r}.torgb.*                     synthesis/b{r}_torgb (kernel [1, 1, I, C])
  Both store the equalised-lr weights raw and scale them at run time by the same constants
  (layers/equalized_dense.py, layers/modulated_conv2d.py), so values copy unchanged."""
  mapping, synthesis = G.get_layer("mapping"), G.get_layer("synthesis")
  targets: dict[str, _Target] = {}
  fcs = {}
  for layer in mapping.layers:
    match = re.fullmatch(r"mapping_fc(\d+)", layer.name)
    if match:
      fcs[int(match[1])] = layer
  for i, fc in sorted(fcs.items()):
    targets[f"mapping.fc{i}.weight"] = _Target(fc.kernel, (1, 0))
    targets[f"mapping.fc{i}.bias"] = _Target(fc.bias, None)
  targets["mapping.w_avg"] = _Target(G.get_layer("truncation").w_avg, None)
  targets["synthesis.b4.const"] = _Target(synthesis.get_layer("b4_const").const, (1, 2, 0))
  for layer in synthesis.layers:
    name = layer.name
    if not name.startswith("b") or "_" not in name:
      continue
    block, part = name.split("_", 1)
    if part in ("conv0", "conv1", "torgb"):
      prefix = f"synthesis.{block}.{part}"
      targets[f"{prefix}.weight"] = _Target(layer.kernel, (2, 3, 1, 0))
      targets[f"{prefix}.bias"] = _Target(layer.bias, None)
      targets[f"{prefix}.affine.weight"] = _Target(layer.affine_kernel, (1, 0))
      targets[f"{prefix}.affine.bias"] = _Target(layer.affine_bias, None)
    elif part in ("conv0_noise", "conv1_noise"):
      prefix = f"synthesis.{block}.{part[: -len('_noise')]}"
      targets[f"{prefix}.noise_strength"] = _Target(layer.noise_strength, None)
      targets[f"{prefix}.noise_const"] = _Target(layer.noise_const, None)
  return targets


def assign_generator(G: Any, imported: ImportedGenerator) -> int:
  """Sets every weight of the Keras generator G from `imported`; returns the tensors copied.
  Missing, unexpected or mis-shaped tensors raise ValueError naming each key and both shapes
  (nothing is assigned then)."""
  targets = keras_targets(G)
  covered = {id(t.variable) for t in targets.values()}
  uncovered = [v.path for v in G.weights if id(v) not in covered]
  if uncovered:
    raise RuntimeError(f"the official layout leaves {G.name} weights unset: {uncovered}")
  sd = imported.state_dict
  values = {
    key: np.asarray(sd[key], np.float32) if t.permute is None else np.transpose(sd[key], t.permute)
    for key, t in targets.items()
    if key in sd
  }
  shapes = [
    f"{k}: checkpoint {tuple(np.shape(sd[k]))} -> {tuple(v.shape)} vs "
    f"{targets[k].variable.path} {tuple(targets[k].variable.shape)}"
    for k, v in values.items()
    if tuple(v.shape) != tuple(targets[k].variable.shape)
  ]
  problems = key_problems(sd, targets, shapes)
  if problems:
    raise ValueError(
      f"{imported.source!r} does not fit the Keras generator {G.name!r}: {'; '.join(problems)}; "
      f"build it with generator_kwargs(config) of the checkpoint's config {imported.config}"
    )
  for key, value in values.items():
    targets[key].variable.assign(value.astype(np.float32))
  return len(values)


def generator_kwargs(config: StyleGAN2Config) -> dict[str, Any]:
  """tfgan_repro.nets.stylegan2.stylegan2_generator kwargs of the architecture `config`."""
  return {
    "z_dim": config.z_dim,
    "w_dim": config.w_dim,
    "image_size": config.img_resolution,
    "img_channels": config.img_channels,
    "channel_base": config.channel_base,
    "channel_max": config.channel_max,
    "mapping_layers": config.mapping_layers,
    "mapping_lr_multiplier": config.lr_multiplier,
  }


def build_generator(
  imported: ImportedGenerator,
  *,
  truncation_psi: float = 1.0,  # official generate.py --trunc 1
  truncation_cutoff: int | None = None,  # official Generator truncation_cutoff None
  noise_mode: str = "const",  # official generate.py --noise-mode const
  name: str = "G",
) -> Any:
  """The Keras StyleGAN2 generator of `imported`'s architecture holding its weights."""
  G = stylegan2_generator(
    **generator_kwargs(imported.config),
    truncation_psi=truncation_psi,
    truncation_cutoff=truncation_cutoff,
    noise_mode=noise_mode,
    name=name,
  )
  assign_generator(G, imported)
  return G
