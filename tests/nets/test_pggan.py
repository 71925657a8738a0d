import keras
import numpy as np
import pytest
import tensorflow as tf

import export
from export.inputs import LATENT_KEY
from tfgan_repro.nets import NETWORKS, pggan_discriminator, pggan_generator
from tfgan_repro.nets.pggan import lod_variable

TINY = {"image_size": 16, "fmap_base": 32, "fmap_max": 8}


def _trainable(model: keras.Model) -> int:
  return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.fixture(scope="module")
def paper_counts() -> dict:
  """Trainable parameters of G_paper / D_paper at 1024 and 256 px (built once, not run)."""
  counts = {}
  for resolution in (1024, 256):
    counts[("G", resolution)] = _trainable(pggan_generator(image_size=resolution))
    counts[("D", resolution)] = _trainable(pggan_discriminator(image_size=resolution))
  return counts


def test_paper_size_counts_equal_the_official_ones(paper_counts):
  # docs/official_counts.md, Progressive GAN: every ToRGB / FromRGB counted.
  assert paper_counts == {
    ("G", 1024): 23_079_115,
    ("D", 1024): 23_087_249,
    ("G", 256): 23_044_309,
    ("D", 256): 23_052_353,
  }
  assert NETWORKS.get("pggan_generator").official_params == 23_079_115
  assert NETWORKS.get("pggan_discriminator").official_params == 23_087_249


def _up(x: np.ndarray, factor: int) -> np.ndarray:
  return np.repeat(np.repeat(x, factor, axis=1), factor, axis=2)


def _fused(w: np.ndarray) -> np.ndarray:
  """Official networks.py fused kernel: the 3x3 weight padded to 5x5, 4 shifted 4x4 sums."""
  p = np.pad(w, [[1, 1], [1, 1], [0, 0], [0, 0]])
  return p[1:, 1:] + p[:-1, 1:] + p[1:, :-1] + p[:-1, :-1]


def test_official_fused_resampling_convs_equal_the_separate_ones():
  rng = np.random.default_rng(0)
  w = rng.normal(size=(3, 3, 3, 5)).astype(np.float32)  # [k, k, in, out]
  x = tf.constant(rng.normal(size=(2, 4, 4, 3)), tf.float32)
  # G Conv0_up: upscale2d_conv2d (weight [k, k, out, in], conv2d_transpose stride 2) equals
  # nearest upscale + conv 3x3 with the kernel flipped in both spatial axes.
  fused = tf.nn.conv2d_transpose(x, _fused(w.transpose(0, 1, 3, 2)), [2, 8, 8, 5], 2, "SAME")
  separate = tf.nn.conv2d(_up(x.numpy(), 2), w[::-1, ::-1], 1, "SAME")
  np.testing.assert_allclose(fused.numpy(), separate.numpy(), atol=1e-5)
  # D Conv1_down: conv2d_downscale2d (x 0.25, stride 2) equals conv 3x3 + 2x2 average pool.
  y = tf.constant(rng.normal(size=(2, 8, 8, 3)), tf.float32)
  fused = tf.nn.conv2d(y, _fused(w) * 0.25, 2, "SAME")
  separate = tf.nn.avg_pool2d(tf.nn.conv2d(y, w, 1, "SAME"), 2, 2, "VALID")
  np.testing.assert_allclose(fused.numpy(), separate.numpy(), atol=1e-5)


def test_generator_blends_its_torgb_outputs_as_the_official_linear_structure():
  keras.utils.set_random_seed(0)
  g = pggan_generator(latent_size=8, **TINY)
  names = ["torgb_lod0", "torgb_lod1", "torgb_lod2"]
  probe = keras.Model(g.input, [g.get_layer(n).output for n in names] + [g.output])
  z = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)

  def run(lod: float) -> list[np.ndarray]:
    lod_variable(g).assign(lod)
    return [np.asarray(t) for t in probe(z)]

  rgb0, rgb1, rgb2, out = run(0.0)
  assert rgb0.shape == (2, 16, 16, 3) and rgb1.shape == (2, 8, 8, 3) and rgb2.shape == (2, 4, 4, 3)
  np.testing.assert_allclose(out, rgb0, atol=1e-6)
  np.testing.assert_allclose(run(2.0)[-1], _up(rgb2, 4), atol=1e-6)  # 4x4 stage, upscaled
  np.testing.assert_allclose(run(1.0)[-1], _up(rgb1, 2), atol=1e-6)
  # lod 0.25: alpha 0.75 of the new 16x16 layers (Sec. 3 fade-in)
  np.testing.assert_allclose(run(0.25)[-1], 0.75 * rgb0 + 0.25 * _up(rgb1, 2), atol=1e-6)
  np.testing.assert_allclose(run(1.5)[-1], _up(0.5 * rgb1 + 0.5 * _up(rgb2, 2), 2), atol=1e-6)


def test_discriminator_at_lod_2_sees_only_the_4x4_box_filtered_image():
  keras.utils.set_random_seed(0)
  d = pggan_discriminator(**TINY)
  rng = np.random.default_rng(1)
  x = rng.uniform(-1, 1, (4, 16, 16, 3)).astype(np.float32)
  means = x.reshape(4, 4, 4, 4, 4, 3).mean(axis=(2, 4))  # [4, 4, 4, 3] box filter 4x4
  same_means = _up(means, 4)  # another image with the same 4x4 means
  lod_variable(d).assign(2.0)
  np.testing.assert_allclose(d(x), d(same_means), atol=1e-5)
  lod_variable(d).assign(0.0)
  assert np.abs(np.asarray(d(x)) - np.asarray(d(same_means))).max() > 1e-3
  assert d(x).shape == (4, 1) and d(x[:2]).shape == (2, 1)  # mbstd groups of min(4, N)


def test_discriminator_fades_from_rgb_in_by_the_fractional_lod():
  keras.utils.set_random_seed(0)
  d = pggan_discriminator(**TINY)
  names = ["16x16_down", "fromrgb_lod1_lrelu", "grow_lod0"]
  probe = keras.Model(d.input, [d.get_layer(n).output for n in names])
  x = np.random.default_rng(2).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  lod_variable(d).assign(0.25)
  block, from_rgb, grown = (np.asarray(t) for t in probe(x))
  assert block.shape == from_rgb.shape == (2, 8, 8, 8)  # nf(2) = min(32 / 4, 8) maps
  np.testing.assert_allclose(grown, 0.75 * block + 0.25 * from_rgb, atol=1e-6)


def test_lod_is_a_float32_non_trainable_weight_that_round_trips():
  g = pggan_generator(latent_size=8, **TINY)
  lod = lod_variable(g)
  assert lod.dtype == "float32" and not lod.trainable
  assert lod.path.endswith("lod/lod") and float(lod.numpy()) == 0.0  # official initial value
  lod.assign(1.5)
  clone = keras.Model.from_config(g.get_config())
  clone.set_weights(g.get_weights())
  z = np.ones((1, 8), np.float32)
  assert float(lod_variable(clone).numpy()) == 1.5
  np.testing.assert_array_equal(np.asarray(clone(z)), np.asarray(g(z)))


def test_mixed_precision_keeps_images_scores_and_lod_in_float32():
  keras.mixed_precision.set_global_policy("mixed_bfloat16")
  try:
    g = pggan_generator(latent_size=8, **TINY)
    d = pggan_discriminator(**TINY)
  finally:
    keras.mixed_precision.set_global_policy("float32")
  lod_variable(g).assign(0.5)
  images = g(tf.ones((2, 8)))
  assert images.dtype == tf.float32 and d(images).dtype == tf.float32
  assert g.get_layer("4x4_conv").compute_dtype == "bfloat16"
  assert lod_variable(g).dtype == "float32"


def test_invalid_arguments_are_refused():
  with pytest.raises(ValueError, match="image_size=12"):
    pggan_generator(image_size=12)
  with pytest.raises(ValueError, match="fmap_base=1"):
    pggan_discriminator(image_size=8, fmap_base=1)
  with pytest.raises(ValueError, match="latent_size=0"):
    pggan_generator(image_size=8, latent_size=0)


def test_saved_model_and_tflite_serve_the_lod_the_generator_had(tmp_path):
  keras.utils.set_random_seed(0)
  g = pggan_generator(latent_size=8, **TINY)
  z = np.random.default_rng(3).normal(size=(2, 8)).astype(np.float32)
  full = np.asarray(g(z))
  lod_variable(g).assign(1.5)  # mid-fade: 8x8 at alpha 0.5 over 4x4, upscaled
  faded = np.asarray(g(z))
  assert np.abs(faded - full).max() > 1e-3
  rows = export.export_version({"G": g}, str(tmp_path), {"G": {LATENT_KEY: z}}, tflite_size=8)
  assert {r.artifact: r.max_abs <= 1e-4 for r in rows} == {
    "saved_model": True,
    "tflite_float32": True,
  }
  served = tf.saved_model.load(str(tmp_path / "G" / "1")).signatures[export.SIGNATURE_KEY]
  got = served(**{LATENT_KEY: tf.constant(z)})[export.OUTPUT_KEY].numpy()
  np.testing.assert_allclose(got, faded, atol=1e-5)
