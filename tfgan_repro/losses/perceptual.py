"""pix2pixHD's VGG19 perceptual loss (Wang et al. 2018, Sec. 3.2, Eq. 5; official VGGLoss)."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_repro.losses.reconstruction import l1_loss

# official Vgg19 slices end at relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (torchvision features
# [0:2], [2:7], [7:12], [12:21], [21:30]); in Keras VGG19 the conv layers apply their ReLU.
VGG_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
VGG_WEIGHTS = (1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0)  # official VGGLoss.weights (paper 3.2)


def vgg19_features(weights: str | None) -> keras.Model:
  """Frozen VGG19 image [N, H, W, 3] in [-1, 1] -> the 5 feature maps of VGG_LAYERS.

  weights: a Keras VGG19 .h5 file (keras.applications' `vgg19_weights_tf_dim_ordering_tf_kernels_
  notop.h5`), or None for random weights (tests). Those weights are Caffe's: the image is turned
  into their input (RGB -> BGR, 0-255, ImageNet mean subtracted) first; the official code feeds
  [-1, 1] to torchvision's VGG19 unnormalised, so its feature scale differs from this one.
  """
  vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
  vgg.trainable = False  # official Vgg19(requires_grad=False)
  inputs = keras.Input((None, None, 3), name="image")
  x = keras.applications.vgg19.preprocess_input((inputs + 1.0) * 127.5)
  features = keras.Model(vgg.input, [vgg.get_layer(n).output for n in VGG_LAYERS])(x)
  return keras.Model(inputs, features, name="vgg19_features")


def vgg_loss(vgg: keras.Model, fake: tf.Tensor, real: tf.Tensor) -> tf.Tensor:
  """L_VGG = sum_i w_i ||F^(i)(x) - F^(i)(G(s))||_1 per example, [B] (paper Eq. 5 with the
  official weights VGG_WEIGHTS; the real image's features detached). The caller multiplies by
  lambda_feat (official: criterionVGG(fake, real) * lambda_feat)."""
  fake_features, real_features = vgg(fake, training=False), vgg(real, training=False)
  return tf.add_n(
    [
      w * l1_loss(f, tf.stop_gradient(r))
      for w, f, r in zip(VGG_WEIGHTS, fake_features, real_features, strict=True)
    ]
  )
