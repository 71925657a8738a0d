"""pix2pixHD's discriminator feature-matching loss (Wang et al. 2018, Sec. 3.2, Eq. 4)."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from tfgan_repro.losses.reconstruction import l1_loss

Features = Sequence[Sequence[tf.Tensor]]  # per scale k, the stage outputs D_k^(i), logits last


def feature_matching_loss(fake: Features, real: Features, n_layers: int) -> tf.Tensor:
  """L_FM = sum_k sum_i w_D w_i ||D_k^(i)(s, x) - D_k^(i)(s, G(s))||_1 per example, [B].

  Official pix2pixHD_model.forward: every stage output but the logits (the last), L1 mean per
  layer, weight w_i = 4 / (n_layers_D + 1) per layer and w_D = 1 / num_D per scale; the real
  features are detached (no gradient to D). The caller multiplies by lambda_feat (10).
  """
  if len(fake) != len(real) or not fake:
    raise ValueError(f"need the same non-zero number of scales, got {len(fake)} and {len(real)}")
  feat_weight = 4.0 / (n_layers + 1)  # official feat_weights
  d_weight = 1.0 / len(fake)  # official D_weights
  terms = []
  for fake_k, real_k in zip(fake, real, strict=True):
    if len(fake_k) != len(real_k) or len(fake_k) < 2:
      raise ValueError(
        f"each scale needs the same >= 2 stage outputs, got {len(fake_k)} and {len(real_k)}"
      )
    for f, r in zip(fake_k[:-1], real_k[:-1], strict=True):
      terms.append(d_weight * feat_weight * l1_loss(f, tf.stop_gradient(r)))
  return tf.add_n(terms)
