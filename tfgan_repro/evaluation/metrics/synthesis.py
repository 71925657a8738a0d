"""All the synthesis metrics of two sets of activations in one dict (what bin/metrics prints)."""

from __future__ import annotations

import numpy as np

from tfgan_repro.evaluation.metrics import metric_is, metric_kid, metric_pr
from tfgan_repro.evaluation.metrics.activations import as_pair
from tfgan_repro.evaluation.metrics.metric_fid import fid


def synthesis_metrics(
  real: np.ndarray,
  fake: np.ndarray,
  *,
  fake_logits: np.ndarray | None = None,
  real_logits: np.ndarray | None = None,
  kid_subsets: int = metric_kid.KID_SUBSETS,
  kid_subset_size: int = metric_kid.KID_SUBSET_SIZE,
  k: int = metric_pr.K,
  is_splits: int = metric_is.IS_SPLITS,
  seed: int = metric_kid.SEED,
) -> dict[str, object]:
  """{"fid", "kid": {"mean", "std"}, "precision", "recall", "num_real", "num_fake"}, plus
  "is": {"mean", "std"} of fake_logits [N, C] and "is_real" of real_logits when given."""
  real, fake = as_pair(real, fake)
  out: dict[str, object] = {"num_real": len(real), "num_fake": len(fake)}
  out["fid"] = fid(real, fake)
  mean, std = metric_kid.kid(real, fake, kid_subsets, kid_subset_size, seed)
  out["kid"] = {"mean": mean, "std": std}
  out["precision"], out["recall"] = metric_pr.precision_recall(real, fake, k)
  for key, logits in (("is", fake_logits), ("is_real", real_logits)):
    if logits is None:
      continue
    mean, std = metric_is.inception_score(logits, is_splits, seed)
    out[key] = {"mean": mean, "std": std}
  return out
