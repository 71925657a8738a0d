"""Official BigGAN-PyTorch generator checkpoints -> this library's Keras BigGAN G
(tfgan_repro.nets.biggan_generator).

The official code (ajbrock/BigGAN-PyTorch `utils.save_weights`) saves `G.state_dict()` and, with
--ema, `G_ema.state_dict()` (`G.pth`, `G_ema.pth`; the EMA copy is the one sampled from). Official
module paths -> Keras layer names:
  shared                     shared (Embedding; weight [n_classes, shared_dim] as is)
  linear                     linear (SN Dense)
  blocks.{i}.0.conv1 / conv2 / conv_sc          block{i}_conv1 / _conv2 / _conv_sc (SN Conv2D)
  blocks.{i}.0.bn1 / bn2 (ccbn)                 block{i}_bn1 / _bn2 (ConditionalBatchNormalization):
    gain / bias (SN Linear, no bias) -> its gain / bias; stored_mean / stored_var -> its BN's
    moving_mean / moving_variance
  blocks.{i}.1 (Attention)   block{i}_attention (SelfAttention): theta, phi, g, o, gamma
  output_layer.0 (bn)        output_bn: gain / bias / stored_mean / stored_var -> gamma / beta /
                             moving_mean / moving_variance
  output_layer.2             output_conv (SN Conv2D)

Tensors: Linear weight (O, I) -> Dense kernel (I, O); Conv2d weight (O, I, kH, kW) -> Conv2D
kernel (kH, kW, I, O). The first linear's outputs are reshaped to NCHW [16 ch, 4, 4] officially and
to NHWC [4, 4, 16 ch] here, so its output units (kernel columns, bias, u0) are permuted from
c * 16 + p to p * 16 ch + c (p = 4 h + w).

Spectral norm: each SN module stores u0 [1, out] (and sv0 [1], the logged sigma, which nothing
reads). In eval mode the official SN.W_ takes one power-iteration step from u0 without storing it:
v = normalize(W^T u0), u = normalize(W v), sigma = u^T W v. This import stores that (u, v) in the
Keras SpectralNormalization, whose inference call uses sigma = v^T W u from its stored vectors: the
same sigma, so the imported G in inference equals the official G in eval mode (running BN
statistics, SN from the stored u0). Training it on continues the power iteration from that u.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import keras
import numpy as np

from tfgan_repro.convert.torch_checkpoint import (
  MAX_LISTED,
  key_problems,
  load_state_dict,
  shape_differences,
)
from tfgan_repro.layers.conditional_batch_normalization import ConditionalBatchNormalization
from tfgan_repro.layers.self_attention import SelfAttention
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.nets.biggan import BOTTOM_WIDTH, biggan_generator

SN_VECTOR = "u0"  # official SN buffer names (num_svs = 1)
SN_VALUE = "sv0"

Convert = Callable[[np.ndarray], np.ndarray]


def _identity(value: np.ndarray) -> np.ndarray:
  return value


def _dense_kernel(value: np.ndarray) -> np.ndarray:
  return value.T  # (O, I) -> (I, O)


def _conv_kernel(value: np.ndarray) -> np.ndarray:
  return value.transpose(2, 3, 1, 0)  # (O, I, kH, kW) -> (kH, kW, I, O)


def _nchw_units(channels: int) -> np.ndarray:
  """Official unit index (c * 16 + p) of each Keras unit p * C + c of the first linear layer."""
  area = BOTTOM_WIDTH**2
  return np.arange(channels * area).reshape(channels, area).T.reshape(-1)  # [16 C]


class _Plan:
  """State-dict key -> (Keras variable, official shape, converter), and the SN layers to set."""

  def __init__(self) -> None:
    self.tensors: dict[str, tuple[keras.Variable, tuple[int, ...], Convert]] = {}
    self.sn: list[tuple[str, SpectralNormalization, np.ndarray | None]] = []

  def add(self, key: str, variable: keras.Variable, shape: tuple[int, ...], convert: Convert):
    self.tensors[key] = (variable, tuple(int(d) for d in shape), convert)

  def add_sn(self, path: str, layer: SpectralNormalization, units: np.ndarray | None = None):
    """An SN conv / linear: weight, bias, u0, sv0; `units` permutes the output units."""
    inner = layer.layer
    kernel = inner.kernel
    out = int(kernel.shape[-1])
    if isinstance(inner, keras.layers.Conv2D):
      kh, kw, cin, _ = kernel.shape
      self.add(f"{path}.weight", kernel, (out, cin, kh, kw), _conv_kernel)
    else:
      cin = kernel.shape[0]
      convert = _dense_kernel
      if units is not None:
        convert = lambda w, order=units: w[order].T  # noqa: E731 (rows in Keras unit order)
      self.add(f"{path}.weight", kernel, (out, cin), convert)
    if getattr(inner, "bias", None) is not None:
      convert = _identity if units is None else (lambda b, order=units: b[order])
      self.add(f"{path}.bias", inner.bias, (out,), convert)
    self.sn.append((path, layer, units))


def _plan(G: keras.Model) -> _Plan:
  plan = _Plan()
  for layer in G.layers:
    name = layer.name
    if name == "shared":
      plan.add("shared.weight", layer.embeddings, layer.embeddings.shape, _identity)
    elif name == "linear":
      units = _nchw_units(int(layer.layer.kernel.shape[-1]) // BOTTOM_WIDTH**2)
      plan.add_sn("linear", layer, units)
    elif name == "output_conv":
      plan.add_sn("output_layer.2", layer)
    elif name == "output_bn":
      for torch_name, variable in (
        ("gain", layer.gamma),
        ("bias", layer.beta),
        ("stored_mean", layer.moving_mean),
        ("stored_var", layer.moving_variance),
      ):
        plan.add(f"output_layer.0.{torch_name}", variable, variable.shape, _identity)
    elif name.startswith("block"):
      block, _, part = name.partition("_")
      index = int(block[len("block") :])
      if isinstance(layer, SelfAttention):
        path = f"blocks.{index}.1"
        for conv in ("theta", "phi", "g", "o"):
          plan.add_sn(f"{path}.{conv}", getattr(layer, conv))
        plan.add(f"{path}.gamma", layer.gamma, (), _identity)
      elif isinstance(layer, ConditionalBatchNormalization):
        path = f"blocks.{index}.0.{part}"
        plan.add_sn(f"{path}.gain", layer.gain)
        plan.add_sn(f"{path}.bias", layer.bias)
        plan.add(f"{path}.stored_mean", layer.bn.moving_mean, layer.bn.moving_mean.shape, _identity)
        var = layer.bn.moving_variance
        plan.add(f"{path}.stored_var", var, var.shape, _identity)
      elif isinstance(layer, SpectralNormalization):
        plan.add_sn(f"blocks.{index}.0.{part}", layer)
  covered = {id(v) for v, _, _ in plan.tensors.values()}
  covered.update(id(w) for _, sn, _ in plan.sn for w in (sn.u, sn.v))
  uncovered = [w.path for w in G.weights if id(w) not in covered]
  if uncovered:
    raise ValueError(
      f"G must be a biggan_generator; these weights have no official tensor: "
      f"{uncovered[:MAX_LISTED]}"
    )
  return plan


def official_keys(G: keras.Model) -> dict[str, tuple[int, ...]]:
  """State-dict key -> official shape, for every tensor the official G of `G`'s options saves."""
  plan = _plan(G)
  keys = {key: shape for key, (_, shape, _) in plan.tensors.items()}
  for path, layer, _ in plan.sn:
    keys[f"{path}.{SN_VECTOR}"] = (1, int(layer.u.shape[0]))
    keys[f"{path}.{SN_VALUE}"] = (1,)
  return keys


def _normalize(x: np.ndarray, eps: float) -> np.ndarray:
  return x / max(float(np.linalg.norm(x)), eps)  # F.normalize(x, eps=eps)


def assign_state_dict(
  G: keras.Model, state_dict: Mapping[str, Any], *, source: str = "state_dict"
) -> int:
  """Sets every weight of the Keras BigGAN G `G` from an official G / G_ema state_dict (module
  docstring); returns the number of tensors read. Missing keys, unexpected keys or shapes that
  differ from G's options raise ValueError naming them (nothing is assigned then)."""
  plan = _plan(G)
  expected = official_keys(G)
  problems = key_problems(state_dict, expected, shape_differences(state_dict, expected, "G"))
  if problems:
    raise ValueError(
      f"{source} does not match the BigGAN G built with these options: {'; '.join(problems)}. "
      "Check image_size, ch, dim_z, shared_dim, n_classes, hier and attention against the "
      "checkpoint's --resolution, --G_ch, --dim_z, --shared_dim, --hier and --G_attn."
    )
  for key, (variable, _, convert) in plan.tensors.items():
    variable.assign(convert(np.asarray(state_dict[key], np.float32)))
  for path, layer, units in plan.sn:
    u0 = np.asarray(state_dict[f"{path}.{SN_VECTOR}"], np.float64)[0]  # [out]
    if units is not None:
      u0 = u0[units]
    w = np.asarray(layer.layer.kernel.numpy(), np.float64)
    w = w.reshape(-1, w.shape[-1])  # [fan_in, out] = official W^T
    v = _normalize(w @ u0, layer.epsilon)  # official v = normalize(u0 W)
    u = _normalize(w.T @ v, layer.epsilon)  # official u = normalize(v W^T)
    layer.u.assign(u.astype(np.float32))
    layer.v.assign(v.astype(np.float32))
  return len(expected)


def load_generator(path: str, **generator_kwargs: Any) -> keras.Model:
  """biggan_generator(**generator_kwargs) with the weights of the official `G.pth` / `G_ema.pth`
  at `path` (read with torch.load(weights_only=True): convert.torch_checkpoint.load_state_dict)."""
  G = biggan_generator(**generator_kwargs)
  assign_state_dict(G, load_state_dict(path), source=f"checkpoint {path!r}")
  return G
