"""Network summaries: per-layer output shapes, parameters and FLOPs at a given input size.

FLOPs are counted analytically, FLOPs = 2 x multiply-accumulates (MACs), of the layers that do
the arithmetic: Conv2D, Conv2DTranspose, DepthwiseConv2D and Dense. Bias adds, normalization,
activations, padding, pooling and resizing count 0. This is the convention of the TF profiler's
Conv2D / MatMul statistics (`tf.compat.v1.profiler`, float_operation). A transposed conv does
input pixels x k*k x C_out MACs; PyTorch counters (thop, torchprofile) count output pixels x k*k x
C_in, stride^2 times more: CycleGAN's resnet_9 at 256 px is 49.6 G MACs here, 56.8 G MACs as
quoted by GAN Compression (Li et al. 2020), the difference being its two stride-2 upsamplings.
"""

from __future__ import annotations

import math
from typing import Any

import keras

from tfgan_repro.layers.exclude_pad_average_pooling2d import ExcludePadAveragePooling2D
from tfgan_repro.layers.inference_dropout import InferenceDropout
from tfgan_repro.layers.instance_normalization import InstanceNormalization
from tfgan_repro.layers.reflection_padding2d import ReflectionPadding2D

# Layers that move no pixel across positions: the receptive field is unchanged by them.
_POINTWISE = (
  keras.layers.Activation,
  keras.layers.BatchNormalization,
  keras.layers.Cropping2D,
  keras.layers.Dropout,
  keras.layers.Identity,
  keras.layers.LeakyReLU,
  keras.layers.ReLU,
  keras.layers.ZeroPadding2D,
  InferenceDropout,
  InstanceNormalization,
  ReflectionPadding2D,
)


def _params(layer: keras.layers.Layer) -> int:
  return sum(math.prod(w.shape) for w in layer.trainable_weights)


def _flops(
  layer: keras.layers.Layer, input_shape: tuple[int, ...], output_shape: tuple[int, ...]
) -> int:
  """2 x MACs of one layer, shapes without the batch axis."""
  if isinstance(layer, keras.layers.Conv2DTranspose):
    kh, kw = layer.kernel_size
    return 2 * math.prod(input_shape) * kh * kw * layer.filters
  if isinstance(layer, keras.layers.DepthwiseConv2D):
    kh, kw = layer.kernel_size
    return 2 * math.prod(output_shape) * kh * kw
  if isinstance(layer, keras.layers.Conv2D):
    kh, kw = layer.kernel_size
    return 2 * math.prod(output_shape) * kh * kw * input_shape[-1] // layer.groups
  if isinstance(layer, keras.layers.Dense):
    return 2 * math.prod(output_shape) * input_shape[-1]
  return 0


def _shape(tensor: Any) -> tuple[int, ...]:
  return tuple(tensor.shape[1:])


def network_summary(model: keras.Model, input_shape: tuple[int, int, int]) -> dict[str, Any]:
  """Per-layer name, class, output shape, trainable params and FLOPs for one (H, W, C) example.

  Shapes are propagated symbolically (no forward pass). Returns {"input_shape", "layers": [{"name",
  "class", "output_shape", "params", "flops"}], "trainable_params", "flops", "flops_convention"}.
  Layers must each be called once and be plain layers (flat functional nets, as nets/ builds);
  a nested model raises ValueError: summarize it on its own.
  """
  if len(model.inputs) != 1:
    raise ValueError(f"network_summary needs a single-input model, got {len(model.inputs)} inputs")
  if len(input_shape) != len(model.inputs[0].shape) - 1:
    raise ValueError(f"input_shape must be {model.inputs[0].shape[1:]}-like, got {input_shape!r}")
  layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
  nested = [layer.name for layer in layers if isinstance(layer, keras.Model)]
  if nested:
    raise ValueError(f"network_summary needs a flat model; summarize nested {nested} separately")
  # First input and output of each layer (Add / Concatenate: the first input; their FLOPs are 0).
  tensors = [t for layer in layers for t in (keras.tree.flatten(layer.input)[0], layer.output)]
  # (1, *input_shape) through the functional graph: every layer's input and output shape.
  probe = keras.Model(model.inputs, tensors)
  shapes = [_shape(t) for t in probe(keras.Input(batch_shape=(1, *input_shape)))]
  rows = []
  for i, layer in enumerate(layers):
    in_shape, out_shape = shapes[2 * i], shapes[2 * i + 1]
    rows.append(
      {
        "name": layer.name,
        "class": type(layer).__name__,
        "output_shape": out_shape,
        "params": _params(layer),
        "flops": _flops(layer, in_shape, out_shape),
      }
    )
  return {
    "input_shape": tuple(input_shape),
    "layers": rows,
    "trainable_params": sum(_params(layer) for layer in layers),
    "flops": sum(row["flops"] for row in rows),
    "flops_convention": "analytic, 2 x MACs of Conv2D/Conv2DTranspose/DepthwiseConv2D/Dense",
  }


def format_summary(summary: dict[str, Any]) -> str:
  """A fixed-width table of `network_summary` with a totals line."""
  header = ("layer", "class", "output shape", "params", "FLOPs")
  rows = [
    (r["name"], r["class"], str(r["output_shape"]), f"{r['params']:,}", f"{r['flops']:,}")
    for r in summary["layers"]
  ]
  widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

  def line(row: tuple[str, ...]) -> str:
    cells = [
      cell.ljust(w) if i < 3 else cell.rjust(w)
      for i, (cell, w) in enumerate(zip(row, widths, strict=True))
    ]
    return "  ".join(cells).rstrip()

  rule = "-" * len(line(tuple("-" * w for w in widths)))
  gflops = summary["flops"] / 1e9
  return "\n".join(
    [
      line(header),
      rule,
      *(line(row) for row in rows),
      rule,
      f"input {summary['input_shape']}: {summary['trainable_params']:,} trainable params, "
      f"{summary['flops']:,} FLOPs ({gflops:.3f} GFLOPs; {summary['flops_convention']})",
    ]
  )


def receptive_field(model: keras.Model) -> int:
  """Receptive field (pixels per side) of one output pixel of a chain of conv / pooling layers.

  r = 1 + sum_l (k_l - 1) * d_l * prod_{m<l} s_m. Normalization counts as pointwise: instance norm's
  statistics actually couple every pixel, so this is the conv footprint (the PatchGAN's "70x70").
  """
  size, jump = 1, 1
  previous = model.inputs[0]
  for layer in model.layers:
    if isinstance(layer, keras.layers.InputLayer):
      continue
    if layer.input is not previous:
      raise ValueError(f"receptive_field needs a chain of layers; {layer.name!r} breaks it")
    previous = layer.output
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)) and not isinstance(
      layer, keras.layers.Conv2DTranspose
    ):
      kernel, strides, dilation = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
    elif isinstance(layer, (keras.layers.AveragePooling2D, keras.layers.MaxPooling2D)):
      kernel, strides, dilation = layer.pool_size[0], layer.strides[0], 1
    elif isinstance(layer, ExcludePadAveragePooling2D):
      kernel, strides, dilation = layer.pool_size, layer.strides, 1
    elif isinstance(layer, _POINTWISE):
      continue
    else:
      raise ValueError(f"receptive_field does not handle {type(layer).__name__} ({layer.name!r})")
    size += (kernel - 1) * dilation * jump
    jump *= strides
  return size
