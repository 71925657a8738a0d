"""PretrainedSynthesis: one noise -> image generator imported from elsewhere (registry entry
"pretrained_stylegan2": an official StyleGAN2 generator converted by
`tfgan_repro.convert.stylegan2_checkpoint`).

It makes the imported generator a synthesis run: `load_run(workdir)` returns it, and the synthesis
task's export (SavedModel with the latent contract, TFLite) and `bin.generate` take it like a
trained run's G. z ~ N(0, I) of z_dim (official stylegan2-ada generate.py:
np.random.RandomState(seed).randn(1, G.z_dim); rosinality generate.py: torch.randn). It holds no
optimizers and is not trained here.
"""

from __future__ import annotations

import keras
import ml_collections
import tensorflow as tf

from tfgan_repro.models.pretrained import GENERATOR_NAME, PretrainedGenerator
from tfgan_repro.models.registry import network_from_config, register_model


class PretrainedSynthesis(PretrainedGenerator):
  """Holds `G` (z [N, z_dim] -> images [N, S, S, C]); `call` is G's forward pass."""

  task = "synthesis"
  num_classes = 0  # unconditional (official c_dim 0)
  latent_distribution = "normal"  # official generate.py: randn

  def __init__(self, *, G: keras.Model, **kwargs):
    super().__init__(G=G, **kwargs)
    self.z_dim = int(G.inputs[0].shape[-1])

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    return {GENERATOR_NAME: ("z", "images")}

  def call(self, z: tf.Tensor, training: bool = False) -> tf.Tensor:
    return self.G(z, training=training)

  def _refuse_training(self) -> ValueError:
    return ValueError(
      "model 'pretrained_stylegan2' holds an imported generator and is not trained here; train "
      "a synthesis model instead (e.g. --config=configs/dcgan.py)"
    )


@register_model(
  "pretrained_stylegan2",
  config_module="configs.pretrained_stylegan2",
  # official config F at 1024 px (stylegan2-ffhq-config-f; docs/official_counts.md)
  paper_counts={"generator": 30_370_060},
  paper_variant="ffhq1024",
)
def build_pretrained_stylegan2(config: ml_collections.ConfigDict) -> PretrainedSynthesis:
  return PretrainedSynthesis(G=network_from_config(config.generator, name=GENERATOR_NAME))
