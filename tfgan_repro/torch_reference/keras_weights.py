"""Copy a Keras net's weights into the PyTorch reference of the same architecture, layer by layer:
both nets list their weighted layers in the order the official code builds them, so the k-th
Keras conv / norm / dense fills the k-th PyTorch one (shapes checked)."""

from __future__ import annotations

import keras
import numpy as np
import torch
from torch import nn

from tfgan_repro.layers.instance_normalization import InstanceNormalization

_TORCH_KINDS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm2d, nn.InstanceNorm2d)


def _keras_layers(model: keras.Model) -> list[keras.layers.Layer]:
  """The weighted layers of `model`, nested models flattened, in build order."""
  found = []
  for layer in model.layers:
    if isinstance(layer, keras.Model):
      found += _keras_layers(layer)
    elif layer.weights:
      found.append(layer)
  return found


def _torch_layers(module: nn.Module) -> list[nn.Module]:
  return [m for m in module.modules() if isinstance(m, _TORCH_KINDS) and list(m.parameters())]


def _tensors(layer: keras.layers.Layer) -> list[np.ndarray]:
  """The layer's weights in PyTorch layout and in the order of its torch module's state."""
  if isinstance(layer, keras.layers.Conv2DTranspose):  # (kH, kW, O, I) -> (I, O, kH, kW)
    out = [np.transpose(layer.kernel.numpy(), (3, 2, 0, 1))]
  elif isinstance(layer, keras.layers.Conv2D):  # (kH, kW, I, O) -> (O, I, kH, kW)
    out = [np.transpose(layer.kernel.numpy(), (3, 2, 0, 1))]
  elif isinstance(layer, keras.layers.Dense):  # (I, O) -> (O, I)
    out = [layer.kernel.numpy().T]
  elif isinstance(layer, keras.layers.BatchNormalization):
    return [v.numpy() for v in (layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance)]
  elif isinstance(layer, InstanceNormalization):
    return [layer.gamma.numpy(), layer.beta.numpy()]
  else:
    raise TypeError(f"no PyTorch counterpart for Keras layer {layer.name!r} ({type(layer)})")
  if getattr(layer, "use_bias", False):
    out.append(layer.bias.numpy())
  return out


def _slots(module: nn.Module) -> list[torch.Tensor]:
  if isinstance(module, nn.BatchNorm2d):
    return [module.weight, module.bias, module.running_mean, module.running_var]
  return [module.weight] + ([module.bias] if module.bias is not None else [])


def copy_keras_weights(model: keras.Model, module: nn.Module, last: tuple[str, ...] = ()) -> int:
  """Sets every parameter (and batch-norm running statistic) of `module` from `model`; returns
  the number of layers copied. `last`: Keras layer names moved to the end, in that order (where
  the functional graph lists branches in another order than the official module). Raises
  ValueError when the layer lists or shapes differ."""
  ours, theirs = _keras_layers(model), _torch_layers(module)
  moved = [layer for name in last for layer in ours if layer.name == name]
  ours = [layer for layer in ours if layer.name not in last] + moved
  if len(ours) != len(theirs):
    raise ValueError(
      f"{model.name} has {len(ours)} weighted layers, the reference {len(theirs)}: "
      f"{[layer.name for layer in ours]} vs {[type(m).__name__ for m in theirs]}"
    )
  with torch.no_grad():
    for layer, target in zip(ours, theirs, strict=True):
      values, slots = _tensors(layer), _slots(target)
      if [v.shape for v in values] != [tuple(s.shape) for s in slots]:
        raise ValueError(
          f"{layer.name}: shapes {[v.shape for v in values]} vs the reference "
          f"{type(target).__name__} {[tuple(s.shape) for s in slots]}"
        )
      for value, slot in zip(values, slots, strict=True):
        slot.copy_(torch.from_numpy(np.ascontiguousarray(value)))
  return len(ours)
