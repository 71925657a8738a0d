"""FID, KID, Inception Score and precision / recall: parity with pytorch-fid and torch-fidelity
on the same activations, hand-computed values, input errors and the bin.metrics command."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from tfgan_repro.evaluation import metrics
from tfgan_repro.evaluation.metrics import metric_fid, metric_kid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RTOL = 1e-6  # parity tolerance (relative)


def _activations(n: int = 500, d: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
  """real ~ N(0, I), fake ~ N(0.3, 1.2^2 I): [n, d] float64 each."""
  rng = np.random.default_rng(seed)
  return rng.normal(size=(n, d)), rng.normal(0.3, 1.2, size=(n, d))


class _Stub(type):
  """Any attribute of a stubbed torchvision is a class (the references subclass some)."""

  def __getattr__(cls, name: str) -> type:
    if name.startswith("__"):
      raise AttributeError(name)
    return _Stub(name, (), {})


class _StubModule(types.ModuleType):
  def __getattr__(self, name: str) -> type:
    if name.startswith("__"):
      raise AttributeError(name)
    return _Stub(name, (), {})


_TORCHVISION = (
  "torchvision",
  "torchvision.datasets",
  "torchvision.models",
  "torchvision.models.utils",
  "torchvision.transforms",
  "torchvision.transforms.functional",
)


@pytest.fixture(scope="module")
def ref() -> types.SimpleNamespace:
  """The reference formulas: pytorch_fid.fid_score and torch_fidelity's metric_* functions.

  Both packages import torchvision at module level but their formulas never call it; where it
  does not import (the PyPI torchvision wheel needs libtorch_cuda, absent beside a +cpu torch)
  it is stubbed while they import.
  """
  for name in ("torch", "pytorch_fid", "torch_fidelity"):
    assert importlib.util.find_spec(name), f"{name} is missing: bash tools/setup.sh --test"
  import torch

  with pytest.MonkeyPatch.context() as mp:
    try:
      import torchvision  # noqa: F401
    except Exception:  # RuntimeError "operator torchvision::nms does not exist", or ImportError
      for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
        mp.delitem(sys.modules, name)
      for name in _TORCHVISION:
        mp.setitem(sys.modules, name, _StubModule(name))
    from pytorch_fid.fid_score import calculate_frechet_distance
    from torch_fidelity.metric_isc import isc_features_to_metric
    from torch_fidelity.metric_kid import kid_features_to_metric
    from torch_fidelity.metric_prc import calculate_precision_recall_full

  return types.SimpleNamespace(
    torch=torch,
    frechet=calculate_frechet_distance,
    kid=kid_features_to_metric,
    isc=isc_features_to_metric,
    prc=calculate_precision_recall_full,
  )


# ---- parity with the references ----


def test_fid_equals_pytorch_fid(ref):
  real, fake = _activations()
  want = ref.frechet(*metrics.gaussian_stats(real), *metrics.gaussian_stats(fake))
  assert metrics.fid(real, fake) == pytest.approx(want, rel=RTOL)
  assert want > 1.0  # a real distance, not round-off


def test_fid_of_singular_covariances_equals_pytorch_fid(ref):
  real, fake = _activations(n=40)  # N < D = 64: both covariances have rank 39
  want = ref.frechet(*metrics.gaussian_stats(real), *metrics.gaussian_stats(fake))
  assert np.linalg.matrix_rank(np.cov(real, rowvar=False)) == 39
  assert metrics.fid(real, fake) == pytest.approx(want, rel=RTOL)


def test_kid_equals_torch_fidelity_with_its_random_subsets(ref):
  real, fake = _activations()
  t = ref.torch.from_numpy
  for subsets, size, seed in ((20, 200, 2020), (5, 500, 7)):
    want = ref.kid(
      t(fake), t(real), kid_subsets=subsets, kid_subset_size=size, rng_seed=seed, verbose=False
    )  # torch-fidelity's input1 is the generated set
    mean, std = metrics.kid(real, fake, num_subsets=subsets, subset_size=size, seed=seed)
    assert mean == pytest.approx(want["kernel_inception_distance_mean"], rel=RTOL)
    assert std == pytest.approx(want["kernel_inception_distance_std"], rel=RTOL, abs=1e-12)


def test_kid_of_one_subset_of_all_samples_is_the_full_estimator(ref):
  real, fake = _activations()
  full = metrics.mmd2_unbiased(real, fake)
  assert metrics.kid(real, fake, num_subsets=1, subset_size=500) == pytest.approx((full, 0.0))
  want = ref.kid(
    ref.torch.from_numpy(fake),
    ref.torch.from_numpy(real),
    kid_subsets=1,
    kid_subset_size=500,
    verbose=False,
  )
  assert full == pytest.approx(want["kernel_inception_distance_mean"], rel=RTOL)


def test_kid_subsets_average_near_the_full_estimator():
  real, fake = _activations()
  full = metrics.mmd2_unbiased(real, fake)
  mean, std = metrics.kid(real, fake, num_subsets=50, subset_size=250, seed=3)
  # Each subset's estimate is unbiased: their mean is within a few standard errors of the full one.
  assert abs(mean - full) < 4 * std / np.sqrt(50) + 1e-12
  assert std > 0


def test_inception_score_equals_torch_fidelity(ref):
  logits = np.random.default_rng(1).normal(size=(500, 10)) * 3
  for splits, shuffle, seed in ((10, True, 2020), (7, True, 5), (4, False, None)):
    want = ref.isc(ref.torch.from_numpy(logits), splits=splits, shuffle=shuffle, rng_seed=seed)
    mean, std = metrics.inception_score(logits, splits=splits, seed=seed)
    assert mean == pytest.approx(want["inception_score_mean"], rel=RTOL)
    assert std == pytest.approx(want["inception_score_std"], rel=RTOL)


def test_precision_recall_equal_torch_fidelity_for_any_batch_size(ref):
  real, fake = _activations(n=300, d=16)
  t = ref.torch.from_numpy
  want = ref.prc(t(fake), t(real), neighborhood=3)  # (precision, recall); input1 generated
  assert 0.0 < want[0] < 1.0 and 0.0 < want[1] < 1.0
  for batch_size in (7, 64, 2000):
    got = metrics.precision_recall(real, fake, k=3, batch_size=batch_size)
    assert got == pytest.approx(want, rel=RTOL)


# ---- hand-computed values ----


def test_fid_of_identical_sets_is_zero():
  real, _ = _activations()
  assert metrics.fid(real, real) == pytest.approx(0.0, abs=1e-8)


def test_fid_of_shifted_unit_gaussians_is_the_squared_mean_distance():
  # N(0, I) vs N(mu, I): FID = ||mu||^2 + tr(I + I - 2 I) = ||mu||^2 exactly.
  mu = np.array([1.0, -2.0, 0.5, 0.0])  # ||mu||^2 = 5.25
  assert metrics.frechet_distance(np.zeros(4), np.eye(4), mu, np.eye(4)) == pytest.approx(5.25)
  # Sampled, 100000 draws per set: the error is dominated by 2 mu.(mean errors), std
  # 2 sqrt(||mu||^2 2 / 100000) = 0.02; 0.1 is 5 of those.
  rng = np.random.default_rng(2)
  real, fake = rng.normal(size=(100000, 4)), rng.normal(size=(100000, 4)) + mu
  assert metrics.fid(real, fake) == pytest.approx(5.25, abs=0.1)


def test_frechet_distance_of_known_diagonal_covariances():
  # Diagonal S1 = diag(a), S2 = diag(b): tr(S1 + S2 - 2 sqrt(S1 S2)) = sum (sqrt(a) - sqrt(b))^2.
  a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.0])  # S2 singular
  want = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)  # 1 + 1 + 9 = 11
  got = metrics.frechet_distance(np.zeros(3), np.diag(a), np.zeros(3), np.diag(b))
  assert got == pytest.approx(11.0) and want == 11.0


def test_fid_adds_the_eps_offset_only_when_the_square_root_fails(monkeypatch):
  calls = []
  real_trace = metric_fid.trace_sqrt_product

  def flaky(s1: np.ndarray, s2: np.ndarray) -> float:
    calls.append(s1[0, 0])
    return np.nan if len(calls) == 1 else real_trace(s1, s2)

  monkeypatch.setattr(metric_fid, "trace_sqrt_product", flaky)
  got = metric_fid.frechet_distance(np.zeros(2), np.eye(2), np.ones(2), np.eye(2), eps=1e-3)
  # Retried with eps I on both: tr sqrt = 2 (1 + eps); FID = 2 + 4 - 4 (1 + eps).
  assert calls == [1.0, 1.001]
  assert got == pytest.approx(2.0 + 4.0 - 4.0 * 1.001)


def test_mmd2_unbiased_by_hand():
  # d = 1, x = [0, 1], y = [1, 2]: k(a, b) = (a b + 1)^3.
  x, y = np.array([[0.0], [1.0]]), np.array([[1.0], [2.0]])
  kxx_off = 2 * (0 * 1 + 1) ** 3  # k(0, 1) twice = 2
  kyy_off = 2 * (1 * 2 + 1) ** 3  # k(1, 2) twice = 54
  kxy = (0 + 1) ** 3 + (0 + 1) ** 3 + (1 + 1) ** 3 + (2 + 1) ** 3  # 1 + 1 + 8 + 27 = 37
  want = (kxx_off + kyy_off) / 2 - 2 * kxy / 4  # 28 - 18.5 = 9.5
  assert metrics.mmd2_unbiased(x, y) == pytest.approx(want) and want == 9.5
  assert metric_kid.polynomial_kernel(x, y)[1, 1] == 27.0


def test_inception_score_of_confident_uniform_classes_is_the_class_count():
  # One-hot-like p(y|x) over C classes, each class equally often: KL = log C, IS = C.
  logits = np.tile(np.eye(5) * 200.0, (4, 1))  # [20, 5]
  mean, std = metrics.inception_score(logits, splits=2, seed=None)
  assert mean == pytest.approx(5.0) and std == pytest.approx(0.0, abs=1e-9)
  # Identical predictions: p(y|x) = p(y), IS = 1.
  assert metrics.inception_score(np.ones((10, 5)), splits=2)[0] == pytest.approx(1.0)


def test_precision_recall_of_identical_and_of_far_sets():
  real, _ = _activations(n=200, d=8)
  assert metrics.precision_recall(real, real) == (1.0, 1.0)
  assert metrics.precision_recall(real, real + 1000.0) == (0.0, 0.0)


def test_precision_recall_by_hand():
  # 1-D, k = 1: real {0, 1, 2} has radii (1, 1, 1); fake {0.5, 10, 11} has radii (9.5, 1, 1).
  real, fake = np.array([[0.0], [1.0], [2.0]]), np.array([[0.5], [10.0], [11.0]])
  np.testing.assert_allclose(metrics.knn_radii(fake, k=1), [9.5, 1.0, 1.0])
  # Precision: 0.5 is inside the real balls, 10 and 11 are not -> 1/3. Recall: 0, 1, 2 are all
  # within 9.5 of 0.5 -> 1.
  assert metrics.precision_recall(real, fake, k=1) == pytest.approx((1 / 3, 1.0))


# ---- input errors ----


def test_errors_name_the_problem():
  real, fake = _activations(n=50, d=8)
  with pytest.raises(ValueError, match=r"one feature dimension.*\(50, 8\).*\(50, 4\)"):
    metrics.fid(real, fake[:, :4])
  bad = fake.copy()
  bad[7, 3] = np.nan
  with pytest.raises(ValueError, match=r"fake has 1 NaN / inf values \(first at row 7, column 3\)"):
    metrics.fid(real, bad)
  with pytest.raises(ValueError, match=r"--kid_subset_size=50"):
    metrics.kid(real, fake)  # default subset_size 1000 > 50 samples
  with pytest.raises(ValueError, match=r"real must be \[N, D\]"):
    metrics.precision_recall(real[0], fake)
  with pytest.raises(ValueError, match="splits must be in"):
    metrics.inception_score(fake[:5], splits=10)
  with pytest.raises(ValueError, match="k must be in"):
    metrics.knn_radii(real, k=50)


# ---- the command ----


def test_the_command_prints_the_library_values(tmp_path):
  real, fake = _activations()
  logits = np.random.default_rng(1).normal(size=(500, 10))
  for name, value in (("real", real), ("fake", fake), ("logits", logits)):
    np.save(tmp_path / f"{name}.npy", value)
  cmd = [sys.executable, "-m", "bin.metrics", f"--real={tmp_path / 'real.npy'}"]
  cmd += [f"--fake={tmp_path / 'fake.npy'}", f"--fake_logits={tmp_path / 'logits.npy'}"]
  cmd += ["--kid_subsets=10", "--kid_subset_size=200"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert done.returncode == 0, done.stderr[-3000:]
  got = json.loads(done.stdout)
  want = metrics.synthesis_metrics(
    real, fake, fake_logits=logits, kid_subsets=10, kid_subset_size=200
  )
  assert got["extractor"] == "precomputed activations"
  assert got["fid"] == pytest.approx(want["fid"], rel=1e-12)
  assert got["kid"] == pytest.approx(want["kid"], rel=1e-12)
  assert got["is"] == pytest.approx(want["is"], rel=1e-12)
  assert (got["precision"], got["recall"]) == (want["precision"], want["recall"])
  assert "is_real" not in got

  short = [*cmd[:5], "--kid_subset_size=1000"]  # 500 samples: too few
  done = subprocess.run(short, cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert done.returncode != 0 and "--kid_subset_size=500" in done.stderr
