"""Config -> StarGAN (the registry entry "stargan")."""

from __future__ import annotations

import ml_collections

from tfgan_repro import data
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model
from tfgan_repro.models.stargan import OFFICIAL_OPTIMIZER, StarGAN


@register_model(
  "stargan",
  config_module="configs.stargan",
  # official main.py CelebA: --c_dim 5, 128 px (docs/official_counts.md)
  paper_counts={"generator": 8_430_528, "discriminator": 44_762_048},
)
def build_stargan(config: ml_collections.ConfigDict) -> StarGAN:
  """G and D get c_dim = the number of data.attributes (official --c_dim = len(selected_attrs));
  D's classifier kernel follows the crop size (official --image_size)."""
  names = data.attribute_names(config.data)
  loss = config.loss
  return StarGAN(
    G=network_from_config(config.generator, c_dim=len(names), name="G"),
    D=network_from_config(
      config.discriminator, c_dim=len(names), image_size=config.data.crop_size, name="D"
    ),
    attribute_names=names,
    lambda_cls=loss.lambda_cls,
    lambda_rec=loss.lambda_rec,
    lambda_gp=loss.lambda_gp,
    n_critic=config.train.n_critic,
    # official g_lr = d_lr, one beta1 / beta2, one decay of both by training iteration;
    # torch.optim.Adam's eps
    optimizer=optimizer_from_config(config, epsilon=OFFICIAL_OPTIMIZER.epsilon),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )
