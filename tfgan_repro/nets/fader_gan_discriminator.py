"""FaderGAN's image discriminator: two heads (ACGAN-style, Odena et al. 2017), real/fake and one
logit per attribute, on the Fader Networks' conv layers (tfgan_repro's FaderGAN; not in the
official FaderNetworks code).

Each head is the official Fader `Classifier` (src/model.py, used with --n_clf_dis): the encoder's
layers (Conv 4x4 s2 p1, BatchNorm from the second, LeakyReLU 0.2) down to 1x1 = log2(S) layers,
then Linear(C -> hid_dim), LeakyReLU(0.2), Linear(-> outputs):
  layers 1..shared_layers: one tower both heads read                         shared{i}[_norm, ..]
  layers shared_layers+1..log2(S) and the projection: one per head           adv{i}.., adv_fc1..
                                                                             cls{i}.., cls_fc1..
shared_layers 0 (the default) makes two separate networks: heads sharing their conv layers have
been seen to collapse late in training to "ghost" faces (docs/design.md, FaderGAN).
"""

from __future__ import annotations

import keras

from tfgan_repro.nets.common import image_input
from tfgan_repro.nets.fader_networks import (
  HID_DIM,
  IMG_SZ,
  INIT_FM,
  MAX_FM,
  NUM_ATTRIBUTES,
  encoder_layers,
  layers_to_1x1,
  projection,
)
from tfgan_repro.nets.registry import register_network

SHARED_LAYERS = 0  # separate heads (docs/design.md, FaderGAN: sharing gave ghost faces)


@register_network(
  "fader_gan_discriminator",
  role="discriminator",
  official_name="",  # not in the official code (its heads are Fader's Classifier)
  paper_kwargs={},
  official_params=None,
  tiny_kwargs={"image_size": 16, "init_fm": 4, "max_fm": 8, "hid_dim": 8},
  tiny_input_shape=(16, 16, 3),
)
def fader_gan_discriminator(
  *,
  num_attributes: int = NUM_ATTRIBUTES,
  image_size: int = IMG_SZ,
  init_fm: int = INIT_FM,
  max_fm: int = MAX_FM,
  hid_dim: int = HID_DIM,
  shared_layers: int = SHARED_LAYERS,
  image_channels: int = 3,
  name: str = "fader_gan_discriminator",
) -> keras.Model:
  """image (N, S, S, C) -> [real/fake logits (N, 1), attribute logits (N, A)] (float32).

  shared_layers: how many conv layers the two heads share, 0 (two separate networks) to log2(S)
  (every conv layer shared, separate projections).
  """
  if num_attributes < 1:
    raise ValueError(f"num_attributes must be >= 1, got {num_attributes!r}")
  num_layers = layers_to_1x1(image_size)
  if not 0 <= shared_layers <= num_layers:
    raise ValueError(
      f"shared_layers must be in [0, log2(image_size) = {num_layers}], got {shared_layers!r}"
    )
  inputs = image_input(image_channels, image_size)
  widths = {"init_fm": init_fm, "max_fm": max_fm}
  shared = encoder_layers(inputs, first=0, last=shared_layers, prefix="shared", **widths)
  heads = []
  for head, outputs in (("adv", 1), ("cls", num_attributes)):
    x = encoder_layers(shared, first=shared_layers, last=num_layers, prefix=head, **widths)
    heads.append(projection(x, outputs, hid_dim=hid_dim, prefix=f"{head}_"))
  return keras.Model(inputs, heads, name=name)
