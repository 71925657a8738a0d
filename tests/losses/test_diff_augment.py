import numpy as np
import pytest
import tensorflow as tf

from tfgan_repro import losses
from tfgan_repro.losses import diff_augmentation as da

SEED = tf.constant([3, 7])
POLICY = "color,translation,cutout"


def _images(b=2, h=16, w=16, c=3):
  return tf.constant(np.random.default_rng(0).uniform(-1, 1, [b, h, w, c]), tf.float32)


def test_shapes_and_empty_policy():
  x = _images()
  for policy in ("color", "translation", "cutout", POLICY):
    assert losses.diff_augment(x, policy, SEED).shape == x.shape
  assert losses.diff_augment(x, "", SEED) is x
  with pytest.raises(ValueError, match="color, translation, cutout"):
    losses.diff_augment(x, "flip", SEED)


def test_gradients_flow_to_the_images():
  x = _images()
  with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.reduce_sum(losses.diff_augment(x, POLICY, SEED))
  grad = tape.gradient(y, x).numpy()
  assert np.isfinite(grad).all() and np.abs(grad).sum() > 0


def test_same_seed_same_output_other_seed_other_output():
  x = _images()
  a = losses.diff_augment(x, POLICY, SEED)
  np.testing.assert_array_equal(a, losses.diff_augment(x, POLICY, SEED))
  assert np.abs(a - losses.diff_augment(x, POLICY, tf.constant([3, 8]))).max() > 0


def test_translate_moves_a_known_pixel_and_pads_zeros():
  x = np.zeros([1, 8, 8, 1], np.float32)
  x[0, 3, 4, 0] = 1.0
  # out[i, j] = x[i + shift_y, j + shift_x]: shift_x 1, shift_y -2 puts x[3, 4] at (5, 3).
  y = da.translate(tf.constant(x), tf.constant([1]), tf.constant([-2])).numpy()
  assert (y[0, 5, 3, 0], y.sum()) == (1.0, 1.0)
  # Shifted out of the image: zeros come in.
  ones = da.translate(tf.ones([1, 8, 8, 1]), tf.constant([2]), tf.constant([0])).numpy()
  assert (ones[0, :, :6].min(), ones[0, :, 6:].max()) == (1.0, 0.0)


def test_rand_translation_shifts_at_most_one_eighth():
  # 16 px: shifts in [-2, 2]; a one-pixel image at (8, 8) lands within 2 px of it, or at most
  # those 25 positions over a batch.
  x = np.zeros([256, 16, 16, 1], np.float32)
  x[:, 8, 8, 0] = 1.0
  y = da.rand_translation(tf.constant(x), SEED).numpy()[..., 0]
  rows, cols = np.nonzero(y.sum(axis=0))
  assert (rows.min(), rows.max(), cols.min(), cols.max()) == (6, 10, 6, 10)
  assert (y.sum(axis=(1, 2)) == 1.0).all()


def test_cutout_zeroes_the_expected_fraction():
  ones = tf.ones([1, 8, 8, 1])
  # A 4x4 square centred at (4, 4): rows and columns 2..5, a quarter of the image.
  y = da.cutout(ones, tf.constant([4]), tf.constant([4])).numpy()[0, ..., 0]
  assert y[2:6, 2:6].max() == 0.0 and y.sum() == 48.0
  # Centred at (0, 0): rows and columns -2..1 clipped to 0..1, 4 pixels.
  assert da.cutout(ones, tf.constant([0]), tf.constant([0])).numpy().sum() == 60.0
  # Random centres uniform in 0..8 (official offsets): rows covered 2, 3, 4, 4, 4, 4, 4, 3, 2,
  # mean 30 / 9; fraction zeroed (30 / 9 / 8)^2 = 0.173611.
  y = da.rand_cutout(tf.ones([8192, 8, 8, 1]), SEED).numpy()
  np.testing.assert_allclose(1.0 - y.mean(), 0.173611, atol=0.004)


def test_color_on_a_flat_image_is_a_brightness_shift():
  # Saturation and contrast scale deviations from means that a flat image does not have, so
  # only brightness + U(-0.5, 0.5) remains, one value per image.
  y = da.rand_color(tf.fill([64, 4, 4, 3], 0.25), SEED).numpy()
  per_image = y.reshape(64, -1)
  np.testing.assert_allclose(per_image, per_image[:, :1].repeat(48, axis=1), atol=1e-6)
  assert per_image.min() >= -0.25 and per_image.max() <= 0.75
