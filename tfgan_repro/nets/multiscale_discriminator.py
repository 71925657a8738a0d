"""Multi-scale PatchGAN discriminator (pix2pixHD, Wang et al. 2018, Sec. 3.2).

num_d NLayerDiscriminators D_1..D_k see the image downsampled by 1, 2, 4, ... with pix2pixHD's
`nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)`. Outputs are listed finest
first, as pix2pixHD's `MultiscaleDiscriminator.forward` (whose modules are named in reverse:
`layer{num_D-1}` is the full-resolution D). Layer names: `scale{i}_...` for the D at scale i
(0 = full resolution), `scale{i}_downsample` for the pooling that feeds it.
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.exclude_pad_average_pooling2d import ExcludePadAveragePooling2D
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.nlayer_discriminator import PADDING, nlayer_discriminator_features
from tfgan_repro.nets.registry import register_network


@register_network(
  "multiscale",
  role="discriminator",
  official_name="pix2pixHD MultiscaleDiscriminator",
  # pix2pixHD label2city: --num_D 2, padw 2; D input = 35 one-hot labels + 1 instance-edge map
  # + 3 image channels = 39.
  paper_kwargs={"input_channels": 39, "num_d": 2, "padding": 2},
  official_params=5_603_202,  # docs/official_counts.md (built from the official pix2pixHD code)
  tiny_kwargs={"ndf": 4},
  tiny_input_shape=(64, 64, 3),  # the 2nd scale sees 32 px -> 2x2 logits
)
def multiscale(
  *,
  input_channels: int = 3,
  ndf: int = 64,
  n_layers: int = 3,
  norm: str = "instance",
  num_d: int = 2,
  padding: int = PADDING,
  intermediate_features: bool = False,
  image_size: ImageSize = None,
  name: str = "multiscale",
) -> keras.Model:
  """num_d PatchGANs on the input pooled 0, 1, ..., num_d - 1 times: a list of num_d logit maps,
  or with intermediate_features (official pix2pixHD getIntermFeat = not --no_ganFeat_loss) a list
  of num_d lists of the n_layers + 2 stage outputs D_k^(i) (paper Eq. 4), logits last.

  Defaults: each scale is the official CycleGAN PatchGAN (--ndf 64 --n_layers_D 3 --norm instance,
  padw 1); num_d 2 is pix2pixHD's --num_D default; pix2pixHD itself uses padding 2.
  """
  if num_d < 1:
    raise ValueError(f"num_d must be >= 1, got {num_d!r}")
  inputs = image_input(input_channels, image_size)
  outputs = []
  x = inputs
  for i in range(num_d):
    if i:
      x = ExcludePadAveragePooling2D(3, 2, 1, name=f"scale{i}_downsample")(x)  # (N, H/2, W/2, C)
    features = nlayer_discriminator_features(
      x, ndf=ndf, n_layers=n_layers, norm=norm, padding=padding, prefix=f"scale{i}_"
    )
    outputs.append(features if intermediate_features else features[-1])
  return keras.Model(inputs, outputs, name=name)
