"""A model's networks summarized at its config's training image size: what `bin/summary` prints.

Per network (`GANModel.networks`, one per role): layer output shapes, trainable parameters,
analytic FLOPs (nets/profiling.py) and the receptive field where it is defined (None otherwise:
generators, multi-scale and multi-input nets); then totals over the networks.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import ml_collections

from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.nets import profiling


def image_size(data_config: ml_collections.ConfigDict) -> tuple[int, int]:
  """(H, W) of a training image: crop_size square, or with preprocess "none" the stored images,
  load_size high and aspect_ratio times as wide (procedural city at 2:1, official --preprocess
  none)."""
  if data_config.get("preprocess") == "none":
    height = data_config.load_size
    return height, height * data_config.get("aspect_ratio", 1)
  return data_config.crop_size, data_config.crop_size


def input_shapes(net: keras.Model, size: tuple[int, int]) -> list[tuple[int, ...]]:
  """Each input's shape (no batch axis) with the unknown sides of an image input set to `size`;
  fixed inputs (attribute vectors, the Fader latent) keep theirs."""
  shapes = []
  for tensor in net.inputs:
    shape = list(tensor.shape[1:])
    if len(shape) == 3:
      shape[:2] = [s if d is None else d for d, s in zip(shape[:2], size, strict=True)]
    if None in shape:
      raise ValueError(f"input {tensor.name!r} of {net.name!r} has an unknown size: {shape}")
    shapes.append(tuple(shape))
  return shapes


def _weights(weights: list) -> int:
  return sum(math.prod(w.shape) for w in {id(w): w for w in weights}.values())


def summary(model: GANModel, config: ml_collections.ConfigDict) -> dict[str, Any]:
  """{"model", "image_size", "networks": {role: network_summary + "receptive_field"}, "total"}.

  total: trainable / non-trainable params and FLOPs summed over the networks listed, and
  "model_trainable_params", every trainable variable of the model (CycleGAN: both directions,
  where `networks` lists G_AB and D_A only).
  """
  size = image_size(config.data)
  networks = {}
  for role, net in model.networks.items():
    networks[role] = {
      **profiling.network_summary(net, input_shapes(net, size)),
      "receptive_field": profiling.receptive_field_or_none(net),
    }
  return {
    "model": config.model,
    "image_size": size,
    "networks": networks,
    "total": {
      "trainable_params": sum(s["trainable_params"] for s in networks.values()),
      "non_trainable_params": sum(s["non_trainable_params"] for s in networks.values()),
      "flops": sum(s["flops"] for s in networks.values()),
      "model_trainable_params": _weights(model.trainable_weights),
    },
  }


def format_summary(result: dict[str, Any]) -> str:
  """Each network's table (profiling.format_summary) and receptive field, then the totals."""
  height, width = result["image_size"]
  blocks = [f"model {result['model']!r} on {height}x{width} (HxW) training images", ""]
  for role, net in result["networks"].items():
    field = net["receptive_field"]
    blocks += [
      f"== {role}: {len(net['layers'])} layers",
      profiling.format_summary(net),
      f"receptive field: {'n/a' if field is None else f'{field}x{field} px'}",
      "",
    ]
  total = result["total"]
  blocks.append(
    f"== total ({', '.join(result['networks'])}): {total['trainable_params']:,} trainable params"
    f" ({total['non_trainable_params']:,} non-trainable), {total['flops']:,} FLOPs"
    f" ({total['flops'] / 1e9:.3f} GFLOPs); all the model's trainable variables: "
    f"{total['model_trainable_params']:,}"
  )
  return "\n".join(blocks)
