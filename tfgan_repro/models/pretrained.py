"""PretrainedGenerator: one generator imported from elsewhere (registry entry "pretrained").

It makes an imported generator (e.g. an official PyTorch CycleGAN / pix2pix checkpoint converted
by `tfgan_repro.convert`) a run like any other: `load_run(workdir)` returns it, and export /
translate read its `generators`. It holds no optimizers and is not trained here.
"""

from __future__ import annotations

import keras
import ml_collections
import tensorflow as tf

from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.models.registry import network_from_config, register_model

GENERATOR_NAME = "G"  # the key of `generators`: export writes RUN/export/G/


class PretrainedGenerator(GANModel):
  """Holds `G`; `call` is G's forward pass. Training refuses with a ValueError."""

  task = "translation"  # the imported generators are CycleGAN's and pix2pix's

  def __init__(self, *, G: keras.Model, **kwargs):
    super().__init__(global_batch_size=1, **kwargs)
    self.G = G

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {GENERATOR_NAME: self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G}

  @property
  def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
    """None: it is not trained here (and `step` stays 0)."""
    return {}

  def call(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
    return self.G(images, training=training)

  def _refuse_training(self) -> ValueError:
    return ValueError(
      "model 'pretrained' holds an imported generator and is not trained here; train a family's "
      "model instead (e.g. --config=configs/cyclegan.py:paper)"
    )

  def contract(self):
    raise self._refuse_training()

  def compile(self, **kwargs) -> None:
    raise self._refuse_training()

  def train_step(self, data):
    raise self._refuse_training()


@register_model(
  "pretrained",
  config_module="configs.pretrained",
  # the official CycleGAN generator (--netG resnet_9blocks; docs/official_counts.md)
  paper_counts={"generator": 11_378_179},
  paper_variant="resnet_9",
)
def build_pretrained(config: ml_collections.ConfigDict) -> PretrainedGenerator:
  return PretrainedGenerator(G=network_from_config(config.generator, name=GENERATOR_NAME))
