"""Config -> Fader (the registry entries "fader" and "fader_gan": one model, two configs)."""

from __future__ import annotations

import inspect

import keras
import ml_collections

from tfgan_repro import data, nets
from tfgan_repro.models.fader import OFFICIAL_OPTIMIZER, Fader
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model


def _network(net_config: ml_collections.ConfigDict, **fixed) -> keras.Model | None:
  """The configured network with those of `fixed` its builder takes; None when name is ""."""
  if not net_config.name:
    return None
  params = inspect.signature(nets.NETWORKS.get(net_config.name).builder).parameters
  return network_from_config(net_config, **{k: v for k, v in fixed.items() if k in params})


@register_model(
  "fader",
  config_module="configs.fader",
  # official train.py defaults (docs/official_counts.md)
  paper_counts={"generator": 14_032_352, "latent_discriminator": 8_656_388},
  # official --attr "Smiling,Male": 2 attributes (the counts depend on their number only)
  paper_overrides={"data.attributes": "smile,beard"},
)
# FaderGAN has no official code (the seed research's Fader variant): no counts to compare with.
@register_model("fader_gan", config_module="configs.fader_gan", paper_counts=None)
def build_fader(config: ml_collections.ConfigDict) -> Fader:
  """G: the autoencoder for the data's attributes (any image size: dynamic-size export); the
  latent discriminator continues G's encoder (its n_layers, init_fm, max_fm) at the training
  crop size; the image discriminator (config.discriminator, "" = none) judges that size."""
  names = data.attribute_names(config.data)
  gen = config.generator
  size = config.data.crop_size
  G = network_from_config(gen, num_attributes=len(names), name="G")
  lat_dis = _network(
    config.latent_discriminator,
    num_attributes=len(names),
    image_size=size,
    n_layers=gen.n_layers,
    init_fm=gen.init_fm,
    max_fm=gen.max_fm,
    name="lat_dis",
  )
  img_dis = _network(config.discriminator, num_attributes=len(names), image_size=size, name="D")
  loss = config.loss
  return Fader(
    G=G,
    lat_dis=lat_dis,
    img_dis=img_dis,
    attribute_names=names,
    lambda_ae=loss.lambda_ae,
    lambda_lat_dis=loss.lambda_lat_dis,
    lambda_adv=loss.lambda_adv,
    lambda_cls=loss.lambda_cls,
    lambda_schedule=loss.lambda_schedule,
    smooth_label=loss.smooth_label,
    fake_attributes=loss.fake_attributes,
    # official --ae_optimizer = --dis_optimizer, torch.optim.Adam's eps, --clip_grad_norm
    optimizer=optimizer_from_config(
      config, epsilon=OFFICIAL_OPTIMIZER.epsilon, clip_norm=config.optimizer.clip_grad_norm
    ),
    slider_range=tuple(config.eval.slider),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )
