"""Inception Score (Salimans et al. 2016, Sec. 4): IS = exp(E_x KL(p(y|x) || p(y))), p(y|x) the
softmax of the classifier's logits and p(y) its mean over a split; the mean and std over
`splits` equal splits (official improved-gan inception_score.py: 10 splits), float64.

Like torch-fidelity's isc_features_to_metric, the rows are first permuted with
np.random.RandomState(seed) (its samples_shuffle, rng_seed 2020); seed=None keeps their order,
as the official code. Split i holds rows [i N / splits, (i + 1) N / splits).
"""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics.activations import as_activations

IS_SPLITS = 10  # official improved-gan inception_score.py get_inception_score(splits=10)
SEED = 2020  # torch-fidelity defaults.py rng_seed (with samples_shuffle True)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
  shifted = logits - logits.max(axis=1, keepdims=True)
  return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def inception_score(
  logits: np.ndarray, splits: int = IS_SPLITS, seed: int | None = SEED
) -> tuple[float, float]:
  """(mean, std) of IS over `splits` splits of logits [N, C]; std has ddof 0."""
  logits = as_activations(logits, "logits")
  n = logits.shape[0]
  if not 1 <= splits <= n:
    raise ValueError(f"splits must be in [1, N = {n}], got {splits}")
  if seed is not None:
    logits = logits[np.random.RandomState(seed).permutation(n)]
  log_p = _log_softmax(logits)  # [N, C] log p(y|x)
  p = np.exp(log_p)
  scores = []
  for i in range(splits):
    part = slice(i * n // splits, (i + 1) * n // splits)
    log_py = np.log(p[part].mean(axis=0, keepdims=True))  # [1, C] log p(y)
    kl = (p[part] * (log_p[part] - log_py)).sum(axis=1)  # [n / splits]
    scores.append(np.exp(kl.mean()))
  return float(np.mean(scores)), float(np.std(scores))
