"""A one-input network made conditional: a per-example condition vector becomes extra input
channels (CycleCGAN's G and D: the domain c in {-1, +1} as a 4th channel)."""

from __future__ import annotations

import keras

from tfgan_repro.layers.concat_condition import ConcatCondition


def conditional_network(net: keras.Model, *, condition_size: int, name: str) -> keras.Model:
  """[image (N, H, W, C), attributes (N, K)] -> net(concat(image, attributes broadcast)).

  `net` takes C + K channels (its input_channels); the K condition channels follow the image's
  and hold the condition's value at every pixel. The two inputs are named "image" and
  "attributes" (models/attribute_editor.py contract); `net` is nested, its weights shared.
  """
  if condition_size < 1:
    raise ValueError(f"condition_size must be >= 1, got {condition_size!r}")
  *spatial, channels = net.input_shape[1:]
  if channels is None or channels <= condition_size:
    raise ValueError(
      f"net {net.name!r} takes {channels} channels: need more than condition_size "
      f"{condition_size} (image channels + condition channels)"
    )
  image = keras.Input(shape=(*spatial, channels - condition_size), name="image")
  attributes = keras.Input(shape=(condition_size,), name="attributes")
  x = ConcatCondition(name="concat_condition")([image, attributes])  # (N, H, W, C + K)
  return keras.Model([image, attributes], net(x), name=name)
