"""Config -> Pix2PixHD (the registry entry "pix2pixhd")."""

from __future__ import annotations

import ml_collections
from absl import logging

from tfgan_repro import data, losses, nets
from tfgan_repro.models.pix2pixhd import STAGES, Pix2PixHD
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model


def generator_core(config: ml_collections.ConfigDict, input_channels: int, output_channels: int):
  """G1 (stage "global") or the local enhancer {G1, G2} (stages "local", "joint").

  config.generator.ngf is G1's width (official --ngf 64 of the global run); the enhancer's G2 has
  half of it (official label2city_1024p: --netG local --ngf 32, G1 = 2 * 32)."""
  gen = config.generator
  if gen.stage not in STAGES:
    raise ValueError(f"config.generator.stage must be one of {STAGES}, got {gen.stage!r}")
  net = "global_generator" if gen.stage == "global" else "local_enhancer"
  if gen.name != net:
    raise ValueError(
      f"config.generator.stage {gen.stage!r} trains {net!r}, but config.generator.name is "
      f"{gen.name!r}; pick the stage by the config variant (VARIANT, VARIANT_local, VARIANT_joint)"
    )
  common = dict(input_channels=input_channels, output_channels=output_channels, norm=gen.norm)
  if gen.stage == "global":
    return nets.NETWORKS.get("global_generator").build(
      ngf=gen.ngf,
      n_downsampling=gen.n_downsample_global,
      n_blocks=gen.n_blocks_global,
      name="G_core",
      **common,
    )
  if gen.ngf % 2:
    raise ValueError(f"config.generator.ngf must be even for the local enhancer, got {gen.ngf}")
  return nets.NETWORKS.get("local_enhancer").build(
    ngf=gen.ngf // 2,
    n_downsample_global=gen.n_downsample_global,
    n_blocks_global=gen.n_blocks_global,
    n_blocks_local=gen.n_blocks_local,
    name="G_core",
    **common,
  )


def _vgg(loss: ml_collections.ConfigDict):
  if not loss.vgg_weights:
    logging.log_first_n(
      logging.WARNING,
      "pix2pixHD: no VGG19 weights (--config.loss.vgg_weights=PATH to a Keras VGG19 .h5): "
      "the VGG loss is off (official --no_vgg_loss)",
      1,
    )
    return None
  return losses.vgg19_features(loss.vgg_weights)


@register_model(
  "pix2pixhd",
  config_module="configs.pix2pixhd",
  # official label2city: --netG global, 36 input channels; --num_D 3 on 39 (docs/official_counts.md)
  paper_counts={"generator": 182_546_755, "discriminator": 8_404_803},
  paper_overrides={"data.num_classes": 35},  # official --label_nc 35 (the procedural city has 8)
)
def build_pix2pixhd(config: ml_collections.ConfigDict) -> Pix2PixHD:
  """G_core sees labels + boundary map (+ feat_num instance features); D sees labels + boundary
  map + image (official netD_input_nc = label_nc + 1 + output_nc); E maps the photo to feat_num."""
  if data.resolve_data_config(config.data).label_format != "onehot_instance":
    raise ValueError(
      "pix2pixhd needs config.data.label_format 'onehot_instance' (labels and instance ids), "
      f"got {config.data.label_format!r}"
    )
  a_channels, b_channels = data.domain_channels(config.data)
  num_classes = a_channels - 1
  feat = config.features
  feat_num = feat.feat_num if feat.instance_feat else 0
  encoder = None
  if feat_num:
    encoder = nets.NETWORKS.get("instance_encoder").build(
      input_channels=b_channels,
      output_channels=feat_num,
      nef=feat.nef,
      n_downsampling=feat.n_downsample_e,
      norm=config.generator.norm,
      name="E",
    )
  return Pix2PixHD(
    G=generator_core(config, num_classes + 1 + feat_num, b_channels),
    D=network_from_config(
      config.discriminator,
      input_channels=num_classes + 1 + b_channels,
      intermediate_features=True,
      name="D",
    ),
    E=encoder,
    num_classes=num_classes,
    n_layers_d=config.discriminator.n_layers,
    stage=config.generator.stage,
    lambda_feat=config.loss.lambda_feat,
    feat_loss=config.loss.feat_loss,
    vgg=_vgg(config.loss),
    n_clusters=feat.n_clusters,
    feature_cluster=feat.feature_cluster,
    input_palette=data.label_palette(config.data),
    optimizer=optimizer_from_config(config),
    global_batch_size=config.batch_size,
    seed=config.seed,
  )
