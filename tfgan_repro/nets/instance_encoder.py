"""pix2pixHD's instance-wise feature encoder E (Wang et al. 2018, Sec. 3.4; official
networks.Encoder): an encoder-decoder (c7s1-16, 4 downsamples, 4 upsamples, c7s1-3, Tanh; the
ResnetGenerator body with no residual blocks) whose output is average-pooled per instance.
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.channel_slice import ChannelSlice
from tfgan_repro.layers.instance_average_pooling import InstanceAveragePooling
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network
from tfgan_repro.nets.resnet_generator import output_layers, resnet_generator_features

N_DOWNSAMPLE_E = 4  # official --n_downsample_E 4


@register_network(
  "instance_encoder",
  role="encoder",
  official_name="pix2pixHD netE (define_G(netG='encoder'))",
  paper_kwargs={},  # official: output_nc 3 image -> --feat_num 3, --nef 16
  official_params=788_803,  # docs/official_counts.md (built from the official pix2pixHD code)
  tiny_kwargs={"nef": 2},
  tiny_input_shape=(32, 32, 4),
)
def instance_encoder(
  *,
  input_channels: int = 3,  # official: the real image (--output_nc 3)
  output_channels: int = 3,  # official --feat_num 3
  nef: int = 16,  # official --nef 16
  n_downsampling: int = N_DOWNSAMPLE_E,
  norm: str = "instance",  # official --norm instance
  image_size: ImageSize = None,
  name: str = "instance_encoder",
) -> keras.Model:
  """E: (N, H, W, input_channels + 1) -> (N, H, W, output_channels): the image with its instance
  ids as the last channel (one input tensor, so the net exports and tests like the others); every
  pixel gets its instance's mean feature. H, W multiples of 2^n_downsampling."""
  inputs = image_input(input_channels + 1, image_size, multiple_of=2**n_downsampling)
  image = ChannelSlice(0, -1, name="real_image")(inputs)
  ids = ChannelSlice(-1, dtype="float32", name="instance_ids")(inputs)  # exact ids, any policy
  x = resnet_generator_features(
    image, n_blocks=0, ngf=nef, norm=norm, n_downsampling=n_downsampling
  )
  features = output_layers(x, output_channels)
  return keras.Model(
    inputs, InstanceAveragePooling(name="instance_pool")([features, ids]), name=name
  )
