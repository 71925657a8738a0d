"""Official PyTorch CycleGAN / pix2pix generator checkpoints -> this library's Keras generators.

The official code (pytorch-CycleGAN-and-pix2pix `networks.py`) saves `net.state_dict()` of a
ResnetGenerator or UnetGenerator (`latest_net_G.pth`, `latest_net_G_A.pth`, ...); DataParallel
models add a `module.` prefix. Official module paths -> Keras layer names (tfgan_repro.nets):

ResnetGenerator (`self.model = nn.Sequential(...)`, n blocks, d = 1 with dropout else 0):
  model.1 conv_in, model.2 norm_in; model.4 / model.7 down1 / down2, model.5 / model.8 their norms;
  model.{9+b}.conv_block.{1, 2, 5+d, 6+d} block{b}_conv1, _norm1, _conv2, _norm2 (b = 1..n);
  model.{10+n} / {13+n} up1 / up2 (ConvTranspose2d), model.{11+n} / {14+n} their norms;
  model.{17+n} conv_out.
UnetGenerator (nested UnetSkipConnectionBlock, level l = 1 outermost .. n innermost, block l's
`model` at P_l = model.model., then P_{l+1} = P_l + "1.model." (l = 1) or P_l + "3.model."):
  level 1: P_1 0 down1, P_1 3 up1; innermost n: P_n 1 down_n, P_n 3 up_n, P_n 4 up_n_norm;
  other levels: P_l 1 down_l, P_l 2 down_l_norm, P_l 5 up_l, P_l 6 up_l_norm.

Tensors: Conv2d weight (O, I, kH, kW) -> Conv2D kernel (kH, kW, I, O); ConvTranspose2d weight
(I, O, kH, kW) -> Conv2DTranspose kernel (kH, kW, O, I), no spatial flip (both compute
out[s*i + t] += x[i] * w[t]); BatchNorm2d weight / bias / running_mean / running_var -> gamma /
beta / moving_mean / moving_variance; num_batches_tracked is ignored. InstanceNorm2d has no
tensors; stale running_mean / running_var / num_batches_tracked under an instance norm (checkpoints
of old PyTorch versions) are dropped, as the official `__patch_instance_norm_state_dict`.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Collection, Mapping

import keras
import numpy as np

from tfgan_repro.layers.instance_normalization import InstanceNormalization
from tfgan_repro.torch_reference import require_torch

# The official ResnetGenerator / UnetGenerator options (official --netG resnet_9blocks, ...).
RESNET_BLOCKS = {"resnet_9": 9, "resnet_6": 6}  # official n_blocks
UNET_DOWNS = {"unet_256": 8, "unet_128": 7}  # official num_downs
ARCHITECTURES = (*RESNET_BLOCKS, *UNET_DOWNS)  # the generators that import_torch takes
DISCRIMINATORS = ("patch",)  # official --netD basic / n_layers: NLayerDiscriminator
DATA_PARALLEL_PREFIX = "module."  # torch.nn.DataParallel's state_dict prefix
MAX_LISTED = 5  # mismatching keys listed per kind in the error


def _check_arch(arch: str) -> str:
  if arch not in ARCHITECTURES + DISCRIMINATORS:
    raise ValueError(f"unknown arch {arch!r}; valid: {', '.join(ARCHITECTURES + DISCRIMINATORS)}")
  return arch


def official_module_paths(arch: str, *, dropout: bool = False, n_layers: int = 3) -> dict[str, str]:
  """Keras layer name -> official module path, for every conv and norm of `arch`, in the order of
  the official state_dict. `dropout`: official use_dropout (shifts ResnetBlock indices);
  `n_layers`: official --n_layers_D of the patch discriminator."""
  _check_arch(arch)
  if arch in DISCRIMINATORS:  # model.{3n - 1} conv, {3n} norm, {3n + 1} LeakyReLU
    paths = {"conv1": "model.0"}
    for n in range(1, n_layers + 1):
      paths.update({f"conv{n + 1}": f"model.{3 * n - 1}", f"conv{n + 1}_norm": f"model.{3 * n}"})
    paths["conv_out"] = f"model.{3 * n_layers + 2}"
    return paths
  if arch in RESNET_BLOCKS:
    n, d = RESNET_BLOCKS[arch], int(dropout)
    paths = {"conv_in": "model.1", "norm_in": "model.2"}
    paths.update({"down1": "model.4", "down1_norm": "model.5"})
    paths.update({"down2": "model.7", "down2_norm": "model.8"})
    for b in range(1, n + 1):
      block = f"model.{9 + b}.conv_block"
      paths[f"block{b}_conv1"], paths[f"block{b}_norm1"] = f"{block}.1", f"{block}.2"
      paths[f"block{b}_conv2"], paths[f"block{b}_norm2"] = f"{block}.{5 + d}", f"{block}.{6 + d}"
    paths.update({"up1": f"model.{10 + n}", "up1_norm": f"model.{11 + n}"})
    paths.update({"up2": f"model.{13 + n}", "up2_norm": f"model.{14 + n}"})
    paths["conv_out"] = f"model.{17 + n}"
    return paths

  n = UNET_DOWNS[arch]
  prefix = {1: "model.model."}  # P_l: the `model` Sequential of level l's block
  for level in range(2, n + 1):
    prefix[level] = prefix[level - 1] + ("1.model." if level == 2 else "3.model.")
  # state_dict order: the encoder outermost -> innermost, then the decoder innermost -> outermost.
  paths = {"down1": prefix[1] + "0"}
  for level in range(2, n):
    paths.update({f"down{level}": prefix[level] + "1", f"down{level}_norm": prefix[level] + "2"})
  paths[f"down{n}"] = prefix[n] + "1"
  paths.update({f"up{n}": prefix[n] + "3", f"up{n}_norm": prefix[n] + "4"})
  for level in range(n - 1, 1, -1):
    paths.update({f"up{level}": prefix[level] + "5", f"up{level}_norm": prefix[level] + "6"})
  paths["up1"] = prefix[1] + "3"
  return paths


@dataclasses.dataclass(frozen=True)
class _Target:
  """One official tensor: the Keras variable it fills and its PyTorch shape."""

  variable: keras.Variable
  torch_shape: tuple[int, ...]


def _kernel_target(kernel: keras.Variable) -> _Target:
  # Conv2D (kH, kW, I, O) <- (O, I, kH, kW); Conv2DTranspose (kH, kW, O, I) <- (I, O, kH, kW)
  kh, kw, a, b = kernel.shape
  return _Target(kernel, (b, a, kh, kw))


def _targets(net: keras.Model, paths: Mapping[str, str]) -> tuple[dict[str, _Target], set[str]]:
  """(state_dict key -> target, keys ignored when present) for the layers named in `paths`."""
  targets: dict[str, _Target] = {}
  ignored: set[str] = set()
  for layer_name, path in paths.items():
    layer = net.get_layer(layer_name)
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
      targets[f"{path}.weight"] = _kernel_target(layer.kernel)
      if layer.use_bias:
        targets[f"{path}.bias"] = _Target(layer.bias, tuple(layer.bias.shape))
    elif isinstance(layer, keras.layers.BatchNormalization):
      for torch_name, variable in (
        ("weight", layer.gamma),
        ("bias", layer.beta),
        ("running_mean", layer.moving_mean),
        ("running_var", layer.moving_variance),
      ):
        targets[f"{path}.{torch_name}"] = _Target(variable, tuple(variable.shape))
      ignored.add(f"{path}.num_batches_tracked")
    elif isinstance(layer, InstanceNormalization):
      # official __patch_instance_norm_state_dict: old checkpoints carry these; dropped.
      ignored.update(f"{path}.{k}" for k in ("running_mean", "running_var", "num_batches_tracked"))
    elif not isinstance(layer, keras.layers.Identity):  # official --norm none: Identity()
      raise TypeError(f"layer {layer_name!r} has no official counterpart: {type(layer).__name__}")
  covered = {id(t.variable) for t in targets.values()}
  uncovered = [v.path for v in net.weights if id(v) not in covered]
  if uncovered:
    raise RuntimeError(f"the official layout leaves {net.name} weights unset: {uncovered}")
  return targets, ignored


def _listed(items: list[str]) -> str:
  shown = ", ".join(items[:MAX_LISTED])
  more = f", ... ({len(items)} in all)" if len(items) > MAX_LISTED else ""
  return f"[{shown}{more}]"


def shape_differences(
  state_dict: Mapping[str, np.ndarray], expected: Mapping[str, tuple[int, ...]], against: str
) -> list[str]:
  """ "KEY: checkpoint SHAPE vs `against` SHAPE" for each expected key present with another shape."""
  return [
    f"{k}: checkpoint {tuple(np.shape(state_dict[k]))} vs {against} {tuple(s)}"
    for k, s in expected.items()
    if k in state_dict and tuple(np.shape(state_dict[k])) != tuple(s)
  ]


def key_problems(
  state_dict: Mapping[str, np.ndarray],
  expected: Collection[str],
  shapes: list[str],
  ignored: Collection[str] = (),
) -> list[str]:
  """The missing keys, unexpected keys (neither expected nor ignored) and the `shapes`
  differences, each kind listed (at most MAX_LISTED) when there are any; [] when all fit."""
  missing = [k for k in expected if k not in state_dict]
  unexpected = [k for k in state_dict if k not in expected and k not in ignored]
  return [
    f"{label} {_listed(items)}"
    for label, items in (
      ("missing keys", missing),
      ("unexpected keys", unexpected),
      ("shape differences", shapes),
    )
    if items
  ]


def _check_finite(state_dict: Mapping[str, np.ndarray], source: str) -> None:
  """ValueError naming the tensors of `state_dict` holding NaN or inf (a corrupt or diverged
  checkpoint: its net would output NaN), before anything is assigned or written."""
  bad = []
  for key, value in state_dict.items():
    array = np.asarray(value)
    if array.dtype.kind in "fc" and not np.isfinite(array).all():
      bad.append(f"{key} ({int(np.isnan(array).sum())} NaN, {int(np.isinf(array).sum())} inf)")
  if bad:
    raise ValueError(f"{source} has non-finite tensors: {_listed(bad)}; refusing to import it")


def assign_state_dict(
  net: keras.Model,
  state_dict: Mapping[str, np.ndarray],
  *,
  arch: str,
  dropout: bool = False,
  n_layers: int = 3,
  source: str = "state_dict",
) -> int:
  """Sets every weight of `net` (built as `arch`) from an official state_dict; returns the number
  of tensors copied. Keys or shapes that differ from `arch`, or tensors holding NaN or inf, raise
  ValueError listing the first missing keys, unexpected keys, shape differences or non-finite
  tensors (nothing is assigned then)."""
  paths = official_module_paths(arch, dropout=dropout, n_layers=n_layers)
  targets, ignored = _targets(net, paths)
  shapes = shape_differences(state_dict, {k: t.torch_shape for k, t in targets.items()}, arch)
  problems = key_problems(state_dict, targets, shapes, ignored)
  _check_finite(state_dict, source)
  if problems:
    raise ValueError(
      f"{source} does not match arch={arch!r} with these options: {'; '.join(problems)}. Check "
      "--arch, --ngf, --norm, --dropout and the channel counts against the options the "
      "checkpoint was trained with."
    )
  for key, target in targets.items():
    value = np.asarray(state_dict[key], dtype=np.float32)
    if len(target.torch_shape) == 4:
      value = value.transpose(2, 3, 1, 0)  # (A, B, kH, kW) -> (kH, kW, B, A)
    target.variable.assign(value)
  return len(targets)


def strip_data_parallel(state_dict: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
  """Removes DataParallel's `module.` prefix when every key has it."""
  if state_dict and all(k.startswith(DATA_PARALLEL_PREFIX) for k in state_dict):
    return {k[len(DATA_PARALLEL_PREFIX) :]: v for k, v in state_dict.items()}
  return dict(state_dict)


def load_state_dict(path: str) -> dict[str, np.ndarray]:
  """Reads a PyTorch state_dict file as float32 / integer numpy arrays, `module.` prefix removed.

  Loaded with `torch.load(..., weights_only=True)`: tensors and containers only, never arbitrary
  pickled objects. torch is imported here only (ImportError naming the pip command when absent).
  """
  torch = require_torch("reading PyTorch checkpoints")
  if not os.path.isfile(path):
    raise ValueError(f"checkpoint {path!r} is not a file")
  try:
    loaded = torch.load(path, map_location="cpu", weights_only=True)
  except (pickle.UnpicklingError, RuntimeError, EOFError) as err:
    raise ValueError(
      f"checkpoint {path!r} is not a PyTorch state_dict readable with weights_only=True: {err}"
    ) from err
  if not isinstance(loaded, Mapping) or not all(
    isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in loaded.items()
  ):
    raise ValueError(
      f"checkpoint {path!r} holds a {type(loaded).__name__}, not a state_dict (names -> "
      "tensors); save the generator with torch.save(net.state_dict(), path), as the official code"
    )
  arrays = {
    k: (v.detach().to(torch.float32) if v.is_floating_point() else v.detach()).numpy()
    for k, v in loaded.items()
  }
  return strip_data_parallel(arrays)
