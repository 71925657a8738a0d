"""Pieces shared by the network builders."""

from __future__ import annotations

import keras

from tfgan_repro.layers.inference_dropout import InferenceDropout

ImageSize = int | tuple[int, int] | None


def image_input(
  channels: int, image_size: ImageSize, *, multiple_of: int = 1, name: str = "image"
) -> keras.KerasTensor:
  """An NHWC input: (None, None, channels) by default (any H, W; dynamic-size export), or fixed.

  `multiple_of`: a fixed size must be divisible by it (the net's total stride).
  """
  if channels < 1:
    raise ValueError(f"input channels must be >= 1, got {channels!r}")
  if image_size is None:
    return keras.Input(shape=(None, None, channels), name=name)
  size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
  if len(size) != 2 or any(not isinstance(s, int) or s < 1 or s % multiple_of for s in size):
    raise ValueError(
      f"image_size must be a positive int or (height, width) divisible by {multiple_of}, "
      f"got {image_size!r}"
    )
  return keras.Input(shape=(*size, channels), name=name)


def dropout_layer(rate: float, at_inference: bool, name: str) -> keras.layers.Layer:
  """keras Dropout (training only), or InferenceDropout (also at inference, as pix2pix)."""
  if at_inference:
    return InferenceDropout(rate, name=name)
  return keras.layers.Dropout(rate, name=name)


def without_inference_dropout(model: keras.Model) -> keras.Model:
  """`model` with each InferenceDropout replaced by an identity, SHARING its other layers (and so
  its weights): the deterministic inference net (official test.py --eval: no dropout at test
  time). Returns `model` itself when it has no InferenceDropout."""
  if not any(isinstance(layer, InferenceDropout) for layer in model.layers):
    return model

  def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
    if isinstance(layer, InferenceDropout):
      return keras.layers.Identity(name=layer.name)
    return layer  # the same layer object: shared weights

  return keras.models.clone_model(model, clone_function=clone)
