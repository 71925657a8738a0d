"""Attribute classification losses (binary attributes), one value per example."""

from __future__ import annotations

import tensorflow as tf


def attribute_cross_entropy(logits: tf.Tensor, attributes: tf.Tensor) -> tf.Tensor:
  """Official FaderNetworks get_attr_loss for binary attributes: logits [B, 2A] hold two classes
  per attribute (the dummy layout [not a_1, a_1, not a_2, ...]); the softmax cross-entropy of
  each pair against its class (attributes [B, A] in {0, 1}), summed over attributes (official:
  `loss += F.cross_entropy(...)` per attribute). Returns [B]."""
  num_attributes = attributes.shape[-1]
  if logits.shape[-1] != 2 * num_attributes:
    raise ValueError(
      f"logits need 2 classes per attribute: got {logits.shape[-1]} logits for "
      f"{num_attributes} attributes"
    )
  pairs = tf.reshape(tf.cast(logits, tf.float32), [-1, num_attributes, 2])  # [B, A, 2]
  labels = tf.cast(attributes > 0.5, tf.int32)  # [B, A] class ids
  per_attribute = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=pairs)
  return tf.reduce_sum(per_attribute, axis=1)


def attribute_bce(logits: tf.Tensor, attributes: tf.Tensor) -> tf.Tensor:
  """Sigmoid cross-entropy of one logit per attribute (logits [B, A]) against attributes [B, A]
  in [0, 1], summed over attributes. Returns [B]."""
  if logits.shape[-1] != attributes.shape[-1]:
    raise ValueError(
      f"need one logit per attribute: got {logits.shape[-1]} logits for "
      f"{attributes.shape[-1]} attributes"
    )
  per_attribute = tf.nn.sigmoid_cross_entropy_with_logits(
    labels=tf.cast(attributes, tf.float32), logits=tf.cast(logits, tf.float32)
  )
  return tf.reduce_sum(per_attribute, axis=1)
