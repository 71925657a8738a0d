"""Network summaries: per-layer output shapes, parameters and FLOPs at a given input size.

FLOPs are counted analytically, FLOPs = 2 x multiply-accumulates (MACs), of the layers that do
the arithmetic: Conv2D, Conv2DTranspose, DepthwiseConv2D and Dense. Bias adds, normalization,
activations, padding, pooling and resizing count 0. This is the convention of the TF profiler's
Conv2D / MatMul statistics (`tf.compat.v1.profiler`, float_operation). A transposed conv does
input pixels x k*k x C_out MACs; PyTorch counters (thop, torchprofile) count output pixels x k*k x
C_in, stride^2 times more: CycleGAN's resnet_9 at 256 px is 49.6 G MACs here, 56.8 G MACs as
quoted by GAN Compression (Li et al. 2020), the difference being its two stride-2 upsamplings.

Functional nets of any number of inputs are summarized (attribute editors: [image, attributes]);
a nested functional net (the Fader autoencoder's encoder / decoder, a conditional net's wrapped
net) is expanded into its layers, named "nested/layer".
"""

from __future__ import annotations

import collections
import math
from collections.abc import Mapping, Sequence
from typing import Any

import keras

from tfgan_repro.layers.exclude_pad_average_pooling2d import ExcludePadAveragePooling2D
from tfgan_repro.layers.inference_dropout import InferenceDropout
from tfgan_repro.layers.instance_normalization import InstanceNormalization
from tfgan_repro.layers.modulated_conv2d import ModulatedConv2D
from tfgan_repro.layers.reflection_padding2d import ReflectionPadding2D

FLOPS_CONVENTION = "analytic, 2 x MACs of Conv2D/Conv2DTranspose/DepthwiseConv2D/Dense"

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

Shape = tuple[int, ...]


def _params(layer: keras.layers.Layer) -> int:
  return sum(math.prod(w.shape) for w in layer.trainable_weights)


def _count(weights: list) -> int:
  """Elements of `weights`, each variable once (a shared variable is listed by every user)."""
  return sum(math.prod(w.shape) for w in {id(w): w for w in weights}.values())


def _flops(layer: keras.layers.Layer, input_shape: Shape, output_shape: Shape) -> int:
  """2 x MACs of one layer, shapes without the batch axis."""
  if isinstance(layer, ModulatedConv2D):  # the style affine w -> s, then the conv (ToRGB too)
    k, c_in = layer.kernel_size, input_shape[-1]
    affine = 2 * layer.affine_kernel.shape[0] * c_in
    if layer.up == 1:
      return affine + 2 * math.prod(output_shape) * k * k * c_in
    return affine + 2 * math.prod(input_shape) * k * k * layer.filters  # transposed conv
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


def _shape(tensor: Any) -> Shape:
  return tuple(tensor.shape[1:])


def _input_shapes(
  model: keras.Model, input_shape: Shape | Sequence[Shape] | Mapping[str, Shape]
) -> list[Shape]:
  """`input_shape` as one shape per model input, in input order; ValueError on a mismatch."""
  names = [t.name for t in model.inputs]
  if isinstance(input_shape, Mapping):
    if set(input_shape) != set(names):
      raise ValueError(f"input_shape needs the keys {names}, got {sorted(input_shape)}")
    shapes = [tuple(input_shape[name]) for name in names]
  elif input_shape and all(isinstance(d, int) for d in input_shape):
    shapes = [tuple(input_shape)]
  else:
    shapes = [tuple(s) for s in input_shape]
  if len(shapes) != len(names):
    raise ValueError(
      f"input_shape must give {len(names)} shapes (inputs {names}), got {input_shape!r}"
    )
  for tensor, shape in zip(model.inputs, shapes, strict=True):
    if len(shape) != len(tensor.shape) - 1:
      raise ValueError(
        f"input_shape must be {tensor.shape[1:]}-like for input {tensor.name!r}, got {shape!r}"
      )
  return shapes


def _graph_nodes(model: keras.Model) -> set[Any]:
  """The call nodes of `model`'s own functional graph (InputLayer nodes excluded)."""
  nodes, stack = set(), list(model.outputs)
  inputs = {id(t) for t in model.inputs}
  while stack:
    tensor = stack.pop()
    if id(tensor) in inputs:
      continue
    operation, node_index, _ = tensor._keras_history
    node = operation._inbound_nodes[node_index]
    if node in nodes or node.is_input:
      continue
    nodes.add(node)
    stack.extend(node.input_tensors)
  return nodes


def _rows(model: keras.Model, shapes: list[Shape], prefix: str) -> list[dict[str, Any]]:
  """Per-call rows of `model` on inputs of `shapes`; nested functional models expanded."""
  if not isinstance(getattr(model, "inputs", None), list) or not hasattr(model, "_inbound_nodes"):
    raise ValueError(f"network_summary needs a functional model, got {model.name!r}")
  graph = _graph_nodes(model)
  calls = [
    (layer, node)
    for layer in model.layers
    if not isinstance(layer, keras.layers.InputLayer)
    for node in layer._inbound_nodes
    if node in graph
  ]
  tensors = [t for _, node in calls for t in (*node.input_tensors, *node.outputs)]
  # (1, *shape) per input through the functional graph: every call's input and output shapes.
  probe = keras.Model(model.inputs, tensors)
  probed = probe([keras.Input(batch_shape=(1, *s)) for s in shapes])
  probed = iter([_shape(t) for t in keras.tree.flatten(probed)])
  rows, calls_so_far = [], collections.Counter()
  for layer, node in calls:
    in_shapes = [next(probed) for _ in node.input_tensors]
    out_shapes = [next(probed) for _ in node.outputs]
    name = f"{prefix}{layer.name}"
    calls_so_far[id(layer)] += 1
    call = calls_so_far[id(layer)]
    if isinstance(layer, keras.Model):
      if call > 1:
        raise ValueError(f"network_summary: nested model {name!r} is called more than once")
      rows.extend(_rows(layer, in_shapes, f"{name}/"))
      continue
    # A wrapper of one plain layer (spectral normalisation) computes what the layer computes.
    computes = layer.layer if isinstance(layer, keras.layers.Wrapper) else layer
    if computes is layer and getattr(layer, "_layers", None):
      raise ValueError(
        f"network_summary does not look inside layer {name!r} ({type(layer).__name__}), which "
        "holds layers: build it from plain layers or a functional model"
      )
    rows.append(
      {
        "name": name if call == 1 else f"{name} (call {call})",
        "class": type(layer).__name__,
        "output_shape": out_shapes[0] if len(out_shapes) == 1 else tuple(out_shapes),
        "params": _params(layer) if call == 1 else 0,
        # Add / Concatenate: the first input; their FLOPs are 0.
        "flops": _flops(computes, in_shapes[0], out_shapes[0]),
      }
    )
  return rows


def network_summary(
  model: keras.Model, input_shape: Shape | Sequence[Shape] | Mapping[str, Shape]
) -> dict[str, Any]:
  """Per-layer name, class, output shape, trainable params and FLOPs for one example.

  input_shape: (H, W, C) for a one-input model; for several inputs one shape per input (batch
  axis left out), in input order or by input name. Shapes are propagated symbolically (no
  forward pass). Returns {"input_shape" (the first input's), "input_shapes" {name: shape},
  "layers": [{"name", "class", "output_shape", "params", "flops"}], "trainable_params",
  "non_trainable_params", "flops", "flops_convention"}. A nested functional model is expanded
  (its rows "nested/layer"); a layer called twice gets a row per call, its params on the first.
  """
  shapes = _input_shapes(model, input_shape)
  rows = _rows(model, shapes, "")
  return {
    "input_shape": shapes[0],
    "input_shapes": {t.name: s for t, s in zip(model.inputs, shapes, strict=True)},
    "layers": rows,
    "trainable_params": _count(model.trainable_weights),
    "non_trainable_params": _count(model.non_trainable_weights),
    "flops": sum(row["flops"] for row in rows),
    "flops_convention": FLOPS_CONVENTION,
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

  shapes = summary.get("input_shapes") or {"input": summary["input_shape"]}
  inputs = (
    str(summary["input_shape"])
    if len(shapes) == 1
    else ", ".join(f"{name} {shape}" for name, shape in shapes.items())
  )
  rule = "-" * len(line(tuple("-" * w for w in widths)))
  gflops = summary["flops"] / 1e9
  return "\n".join(
    [
      line(header),
      rule,
      *(line(row) for row in rows),
      rule,
      f"input {inputs}: {summary['trainable_params']:,} trainable params, "
      f"{summary['flops']:,} FLOPs ({gflops:.3f} GFLOPs; {summary['flops_convention']})",
    ]
  )


def receptive_field(model: keras.Model) -> int:
  """Receptive field (pixels per side) of one output pixel of a chain of conv / pooling layers.

  r = 1 + sum_l (k_l - 1) * d_l * prod_{m<l} s_m. Normalization counts as pointwise: instance norm's
  statistics actually couple every pixel, so this is the conv footprint (the PatchGAN's "70x70").
  ValueError for any other graph (several inputs, branches, upsampling, dense heads).
  """
  if len(model.inputs) != 1:
    raise ValueError(f"receptive_field needs a single-input chain, got {len(model.inputs)} inputs")
  size, jump = 1, 1
  previous = model.inputs[0]
  for layer in model.layers:
    if isinstance(layer, keras.layers.InputLayer):
      continue
    if len(layer._inbound_nodes) != 1 or layer.input is not previous:
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


def receptive_field_or_none(model: keras.Model) -> int | None:
  """`receptive_field`, or None where it is not defined (not a single-input conv chain)."""
  try:
    return receptive_field(model)
  except ValueError:
    return None
