"""CycleCGAN: CycleGAN with ONE conditional generator and ONE conditional discriminator.

The domain is a condition c (+1: the attribute's domain B, -1: without it, domain A), broadcast
to an extra input channel of both nets; D([image, c]) judges "a real image of domain c". Training
is CycleGAN's (cycle_gan.py: losses, update order, image pools) with its four nets replaced by
views of the two conditional ones. Code names -> symbols:
  real_a = x (without the attribute), real_b = y (with it)
  G_AB = G(., +1), G_BA = G(., -1); D_B = D(., +1), D_A = D(., -1)   (views, shared weights)
  fake_b = y_bar = G(x, +1), fake_a = x_bar = G(y, -1)
  G_AB_adv, G_BA_adv: LSGAN losses of D(y_bar, +1) and D(x_bar, -1) judged real
  cycle_A = lambda ||G(y_bar, -1) - x||_1, cycle_B = lambda ||G(x_bar, +1) - y||_1 (x', y')
  idt_A = lambda_identity lambda ||G(y, +1) - y||_1, idt_B = ... ||G(x, -1) - x||_1: the no-op
    terms (an image already in the target domain must not change); CycleGAN's identity weights
  D_B: D(y, +1) real vs D(pooled y_bar, +1) fake; D_A: D(x, -1) vs D(pooled x_bar, -1)
A continuous c slides the edit's strength (config.eval.slider, past the trained +-1).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from tfgan_repro.models.attribute_editor import AttributeEditor
from tfgan_repro.models.cycle_gan import CycleGAN

CONDITION_A, CONDITION_B = -1.0, 1.0  # c of domain A (without the attribute) and B (with it)


def _conditioned(net: keras.Model, condition: float) -> Callable[..., tf.Tensor]:
  """net(., c): a one-input view of a [image, c] net, c fixed for every example."""

  def view(images: tf.Tensor, training: bool = False) -> tf.Tensor:
    c = tf.fill([tf.shape(images)[0], 1], tf.cast(condition, images.dtype))  # [N, 1]
    return net([images, c], training=training)

  return view


class CycleCGAN(AttributeEditor, CycleGAN):
  """CycleGAN on G([image, c]) and D([image, c]); the arguments other than G and D are
  CycleGAN's (lambda_a = lambda_b: the cycle weight; lambda_identity: the no-op weight)."""

  display_images = CycleGAN.display_images  # its (x, y) batches, not AttributeEditor's

  def __init__(self, *, G: keras.Model, D: keras.Model, **kwargs):
    for role, net in (("G", G), ("D", D)):
      if len(net.inputs) != 2 or net.inputs[1].shape[-1] != 1:
        raise ValueError(
          f"{role} must take [image, condition [N, 1]], got inputs "
          f"{[tuple(t.shape) for t in net.inputs]}"
        )
    super().__init__(
      G_AB=_conditioned(G, CONDITION_B),
      G_BA=_conditioned(G, CONDITION_A),
      D_A=_conditioned(D, CONDITION_A),
      D_B=_conditioned(D, CONDITION_B),
      **kwargs,
    )
    self.G, self.D = G, D

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    return {"generator": self.G, "discriminator": self.D}

  def player_networks(self) -> dict[str, tuple[keras.Model, ...]]:
    """The two conditional nets (the four CycleGAN nets are views of them)."""
    return {"G": (self.G,), "D": (self.D,)}

  def edit_condition(self, attributes01: tf.Tensor) -> tf.Tensor:
    """G's condition asking for the attribute a in {0, 1}: c = 2a - 1."""
    return 2.0 * tf.cast(attributes01, tf.float32) - 1.0
