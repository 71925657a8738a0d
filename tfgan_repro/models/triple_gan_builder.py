"""Config -> TripleGAN (the registry entry "triple_gan", variants `triple_gan*` of
configs/conditional.py).

G and D are the class-conditional nets of config.generator / config.discriminator
(conditional_synthesis_builder.conditional_network); C is the registered net of
config.classifier. Options: config.loss.{alpha, alpha_cla_adv, alpha_p, alpha_p_start_step,
unsup_weight, unsup_rampup_steps},
C's Adam config.optimizer.{c_lr, c_beta1, c_beta2}, C's weight average config.ema.c_decay.
"""

from __future__ import annotations

import ml_collections

from tfgan_repro.models.conditional_synthesis_builder import conditional_network
from tfgan_repro.models.registry import network_from_config, optimizer_from_config, register_model
from tfgan_repro.models.synthesis_builder import GAN_LOSS_KEYS, synthesis_kwargs
from tfgan_repro.models.triple_gan import C_OPTIMIZER, TripleGAN


@register_model(
  "triple_gan",
  config_module="configs.triple_gan",
  # G and D are this repo's conditional nets, not the official Triple-GAN ones: only C is the
  # official network (nets/triple_gan_classifier.py, its count in docs/official_counts.md)
  paper_counts=None,
)
def build_triple_gan(config: ml_collections.ConfigDict) -> TripleGAN:
  cond, size, opt, loss = config.conditioning, config.data.crop_size, config.optimizer, config.loss
  c_optimizer = optimizer_from_config(
    config,
    lr=opt.get("c_lr", C_OPTIMIZER.lr),
    beta_1=opt.get("c_beta1", C_OPTIMIZER.beta_1),
    beta_2=opt.get("c_beta2", C_OPTIMIZER.beta_2),
    epsilon=opt.get("epsilon", C_OPTIMIZER.epsilon),
  )
  return TripleGAN(
    G=conditional_network(
      config.generator, num_classes=cond.num_classes, image_size=size, name="G"
    ),
    D=conditional_network(
      config.discriminator, num_classes=cond.num_classes, image_size=size, name="D"
    ),
    C=network_from_config(
      config.classifier, name="C", num_classes=cond.num_classes, image_size=size
    ),
    num_classes=cond.num_classes,
    conditioning=cond.mode,
    alpha=loss.alpha,
    alpha_cla_adv=loss.alpha_cla_adv,
    alpha_p=loss.alpha_p,
    alpha_p_start_step=loss.alpha_p_start_step,
    unsup_weight=loss.unsup_weight,
    unsup_rampup_steps=loss.unsup_rampup_steps,
    c_optimizer=c_optimizer,
    c_ema_decay=config.ema.c_decay,
    **synthesis_kwargs(
      config, GAN_LOSS_KEYS, n_critic=True, epsilon=opt.get("epsilon", C_OPTIMIZER.epsilon)
    ),
  )
