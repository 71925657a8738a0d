"""AttributeEditor: what the attribute-editing families share (Fader Networks, FaderGAN,
StarGAN, CycleCGAN).

Contract: `generators["G"]` takes [image [N, H, W, 3] in [-1, 1], condition [N, A]] (Keras inputs
"image" and "attributes", served as "images" and "attributes": export.inputs) and returns the
edited image. `edit_condition(y)` is the condition that asks for the {0, 1} attribute vector y:
the values themselves (Fader, StarGAN: a in [0, 1], slid past it up to config.eval.slider) or
CycleCGAN's c = 2y - 1. The attribute_editing task (tasks/attribute_editing.py: evaluation,
samples, export) reads only this.
"""

from __future__ import annotations

import tensorflow as tf

GENERATOR = "G"  # the editing generator's key in `generators`


class AttributeEditor:
  """Mixin placed before the family's GANModel base; the family sets `attribute_names`."""

  task = "attribute_editing"
  attribute_names: tuple[str, ...] = ()

  @property
  def directions(self) -> dict[str, tuple[str, str]]:
    """G edits the data's images (the first element of its batches, "A") into images."""
    return {GENERATOR: ("A", "A")}

  def edit_condition(self, attributes01: tf.Tensor) -> tf.Tensor:
    """G's condition asking for `attributes01` ({0, 1} float [N, A]): the values themselves."""
    return tf.cast(attributes01, tf.float32)

  def edit(self, images: tf.Tensor, attributes01: tf.Tensor) -> tf.Tensor:
    """G(images, the condition asking for `attributes01`) in inference mode."""
    condition = self.edit_condition(attributes01)
    return self.generators[GENERATOR]([tf.cast(images, tf.float32), condition], training=False)

  def display_images(
    self, images: tf.Tensor, attributes: tf.Tensor
  ) -> dict[str, dict[str, tf.Tensor]]:
    """The input, its reconstruction (its own attributes asked for) and, per attribute, the
    input with that attribute flipped (official StarGAN sample sheet: a column per target)."""
    attributes = tf.cast(attributes, tf.float32)
    columns = {"input": images, "reconstruction": self.edit(images, attributes)}
    for i, name in enumerate(self.attribute_names):
      flip = tf.one_hot(i, len(self.attribute_names))  # [A]: attribute i -> 1 - a_i
      columns[f"flip_{name}"] = self.edit(images, attributes + flip * (1.0 - 2.0 * attributes))
    return {"edits": columns}
