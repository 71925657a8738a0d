import numpy as np
import pytest

from tfgan_repro.training.schedules import LinearDecayAfter


def test_official_linear_policy_at_epochs_0_100_150_200():
  schedule = LinearDecayAfter(2e-4, n_epochs=100, n_epochs_decay=100, steps_per_epoch=10)
  # official lambda_rule: 1 - max(0, epoch + 1 - 100) / 101
  expected = {0: 2e-4, 99: 2e-4, 100: 2e-4 * (1 - 1 / 101), 150: 2e-4 * (1 - 51 / 101), 200: 0.0}
  for epoch, lr in expected.items():
    np.testing.assert_allclose(float(schedule(epoch * 10)), lr, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(float(schedule(epoch * 10 + 9)), lr, rtol=1e-5, atol=1e-12)


def test_schedule_never_negative_and_validates():
  schedule = LinearDecayAfter(1.0, n_epochs=1, n_epochs_decay=1, steps_per_epoch=1)
  assert float(schedule(50)) == 0.0
  with pytest.raises(ValueError, match="steps_per_epoch"):
    LinearDecayAfter(1.0, 1, 1, 0)
