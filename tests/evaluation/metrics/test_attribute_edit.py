"""Attribute-editing scores on hand-made probabilities and images."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tfgan_repro.evaluation.metrics import attribute_edit, paired_scores


def test_flip_targets_flip_one_attribute_per_edit():
  y = np.array([[0, 1, 1], [1, 0, 0]], np.float32)
  t = attribute_edit.flip_targets(y)
  assert t.shape == (2, 3, 3)
  np.testing.assert_array_equal(t[0], [[1, 1, 1], [0, 0, 1], [0, 1, 0]])
  np.testing.assert_array_equal(t[1], [[0, 0, 0], [1, 1, 0], [1, 0, 1]])


def test_flip_and_keep_accuracy_are_exact_fractions():
  y = np.array([[0, 1], [1, 1]], np.float32)  # N = 2, A = 2
  p = attribute_edit.flip_targets(y) * 0.8 + 0.1  # a perfect editor, read with margin
  perfect = attribute_edit.edit_accuracy(p, y)
  assert perfect == {
    "flip_accuracy": [1.0, 1.0],
    "keep_accuracy": [1.0, 1.0],
    "mean_flip_accuracy": 1.0,
    "mean_keep_accuracy": 1.0,
  }
  p[0, 0, 0] = 0.3  # image 0, edit 0 fails to flip attribute 0 (source 0, asked 1)
  p[1, 1, 0] = 0.2  # image 1, edit 1 changes the attribute it should keep (attribute 0 = 1)
  p[1, 0, 1] = 0.6  # image 1, edit 0 keeps attribute 1 = 1: still correct
  got = attribute_edit.edit_accuracy(p, y)
  assert got["flip_accuracy"] == [0.5, 1.0] and got["keep_accuracy"] == [1.0, 0.5]
  assert got["mean_flip_accuracy"] == 0.75 and got["mean_keep_accuracy"] == 0.75


def test_keep_accuracy_averages_over_every_other_attribute():
  y = np.zeros((1, 3), np.float32)
  p = attribute_edit.flip_targets(y)  # [1, 3, 3]
  p[0, 0, 2] = 1.0  # edit 0 also switches attribute 2 on: 1 of its 2 kept attributes wrong
  got = attribute_edit.edit_accuracy(p, y)
  assert got["keep_accuracy"] == [0.5, 1.0, 1.0]
  assert got["mean_keep_accuracy"] == pytest.approx(2.5 / 3)


def test_one_attribute_has_no_keep_accuracy():
  y = np.array([[0], [1], [0], [0]], np.float32)
  p = np.array([[[0.9]], [[0.1]], [[0.4]], [[0.7]]], np.float32)
  got = attribute_edit.edit_accuracy(p, y)
  assert got["flip_accuracy"] == [0.75] and got["keep_accuracy"] == [None]
  assert got["mean_keep_accuracy"] is None


def test_attribute_accuracy_per_attribute():
  y = np.array([[0, 1], [1, 1], [0, 0], [1, 0]], np.float32)
  p = np.array([[0.2, 0.9], [0.7, 0.4], [0.6, 0.1], [0.51, 0.2]], np.float32)
  np.testing.assert_allclose(attribute_edit.attribute_accuracy(p, y), [0.75, 0.75])


def test_bad_shapes_and_values_are_refused():
  y = np.zeros((2, 2), np.float32)
  with pytest.raises(
    ValueError, match=r"probabilities must be \[N, A, A\] = \(2, 2, 2\).*\(2, 2\)"
  ):
    attribute_edit.edit_accuracy(np.zeros((2, 2)), y)
  with pytest.raises(ValueError, match=r"attributes must be \[N, A\] with values in \{0, 1\}"):
    attribute_edit.edit_accuracy(np.zeros((2, 2, 2)), y + 0.5)
  with pytest.raises(ValueError, match=r"edits and true_edits must both be \[N, A, H, W, C\]"):
    attribute_edit.edit_fidelity(np.zeros((2, 16, 16, 3)), np.zeros((2, 16, 16, 3)))
  with pytest.raises(ValueError, match="reconstructions .* and images .* shapes differ"):
    attribute_edit.reconstruction_scores(np.zeros((2, 16, 16, 3)), np.zeros((1, 16, 16, 3)))


def test_edit_fidelity_reuses_psnr_and_ssim_per_attribute():
  rng = np.random.default_rng(0)
  truth = rng.uniform(-1, 1, (3, 2, 16, 16, 3)).astype(np.float32)  # N = 3, A = 2
  edits = truth.copy()
  edits[:, 1] += 0.1  # attribute 1's edits off by 0.1 (of the range 2): MSE 0.01 / 4 on [0, 1]
  got = attribute_edit.edit_fidelity(edits, truth)
  assert got["psnr"][0] == math.inf and got["ssim"][0] == pytest.approx(1.0, abs=1e-6)
  assert got["psnr"][1] == pytest.approx(10 * math.log10(4 / 0.01), abs=0.05)
  assert got["psnr"][1] == pytest.approx(paired_scores(edits[:, 1], truth[:, 1])["psnr"])
  assert got["mean_psnr"] == math.inf
  assert got["mean_ssim"] == pytest.approx((got["ssim"][0] + got["ssim"][1]) / 2)


def test_reconstruction_of_the_image_itself_is_perfect():
  x = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
  got = attribute_edit.reconstruction_scores(x, x)
  assert got["psnr"] == math.inf and got["ssim"] == pytest.approx(1.0, abs=1e-6)
