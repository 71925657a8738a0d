"""Synthesis metrics (FID, KID, Inception Score, precision / recall) of two sets, printed as JSON.

python -m bin.metrics --real=real.npy --fake=fake.npy [--fake_logits=logits.npy]
bazel run //bin:metrics -- --real_dir=real/ --fake_dir=fake/ --extractor=inception.keras

--real / --fake: activations [N, D] (.npy); --real_dir / --fake_dir: image folders, whose features
(and logits, for IS) come from --extractor (tfgan_repro/evaluation/features.py: a Keras model file,
or keras.applications.InceptionV3 weights). Only the FID Inception network converted to a model
file gives FIDs comparable with published ones.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from absl import app, flags

from bin import cli
from tfgan_repro.evaluation import features
from tfgan_repro.evaluation.metrics import metric_is, metric_kid, metric_pr, synthesis_metrics

_REAL = flags.DEFINE_string("real", None, "Real activations [N, D], .npy.")
_FAKE = flags.DEFINE_string("fake", None, "Generated activations [N, D], .npy.")
_REAL_LOGITS = flags.DEFINE_string("real_logits", None, "Real logits [N, C], .npy: IS as is_real.")
_FAKE_LOGITS = flags.DEFINE_string("fake_logits", None, "Generated logits [N, C], .npy: IS.")
_REAL_DIR = flags.DEFINE_string("real_dir", None, "Real image folder (needs --extractor).")
_FAKE_DIR = flags.DEFINE_string("fake_dir", None, "Generated image folder (needs --extractor).")
_EXTRACTOR = flags.DEFINE_string(
  "extractor", None, "Feature extractor file: a Keras model file or InceptionV3 weights."
)
_EXTRACTOR_KIND = flags.DEFINE_enum(
  "extractor_kind", "auto", features.EXTRACTOR_KINDS, "How to read --extractor."
)
_BATCH = flags.DEFINE_integer("batch_size", features.BATCH_SIZE, "Images per forward pass.")
_KID_SUBSETS = flags.DEFINE_integer("kid_subsets", metric_kid.KID_SUBSETS, "KID subsets.")
_KID_SUBSET_SIZE = flags.DEFINE_integer(
  "kid_subset_size", metric_kid.KID_SUBSET_SIZE, "Samples of each set in a KID subset."
)
_K = flags.DEFINE_integer("k", metric_pr.K, "Precision / recall neighbourhood size.")
_IS_SPLITS = flags.DEFINE_integer("is_splits", metric_is.IS_SPLITS, "Inception Score splits.")
_SEED = flags.DEFINE_integer("seed", metric_kid.SEED, "KID subsets and IS shuffle seed.")
_OUTPUT = flags.DEFINE_string("output", None, "Also write the JSON to this file.")


def _load(path: str | None) -> np.ndarray | None:
  return None if path is None else np.load(cli.user_path(path), allow_pickle=False)


def _inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, str]:
  """(real, fake, real_logits, fake_logits, extractor name) from the flags."""
  arrays = _REAL.value is not None or _FAKE.value is not None
  folders = _REAL_DIR.value is not None or _FAKE_DIR.value is not None
  if arrays == folders:
    raise ValueError("pass either --real and --fake (activations) or --real_dir and --fake_dir")
  if arrays:
    if _REAL.value is None or _FAKE.value is None:
      raise ValueError(f"pass both --real and --fake, got {_REAL.value!r} and {_FAKE.value!r}")
    if _EXTRACTOR.value is not None:
      raise ValueError("--extractor reads image folders: pass --real_dir / --fake_dir with it")
    logits = _load(_REAL_LOGITS.value), _load(_FAKE_LOGITS.value)
    return _load(_REAL.value), _load(_FAKE.value), *logits, "precomputed activations"
  if _REAL_DIR.value is None or _FAKE_DIR.value is None or _EXTRACTOR.value is None:
    raise ValueError("image folders need --real_dir, --fake_dir and --extractor")
  if _REAL_LOGITS.value is not None or _FAKE_LOGITS.value is not None:
    raise ValueError("with image folders the logits come from --extractor: drop --*_logits")
  extractor = features.load_extractor(cli.user_path(_EXTRACTOR.value), _EXTRACTOR_KIND.value)
  real, real_logits = features.folder_features(
    extractor, cli.user_path(_REAL_DIR.value), _BATCH.value
  )
  fake, fake_logits = features.folder_features(
    extractor, cli.user_path(_FAKE_DIR.value), _BATCH.value
  )
  return real, fake, real_logits, fake_logits, extractor.name


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  try:
    real, fake, real_logits, fake_logits, name = _inputs()
    result = synthesis_metrics(
      real,
      fake,
      fake_logits=fake_logits,
      real_logits=real_logits,
      kid_subsets=_KID_SUBSETS.value,
      kid_subset_size=_KID_SUBSET_SIZE.value,
      k=_K.value,
      is_splits=_IS_SPLITS.value,
      seed=_SEED.value,
    )
  except ValueError as e:
    sys.exit(f"bin.metrics: {e}")
  result["extractor"] = name
  text = json.dumps(result, indent=2)
  if _OUTPUT.value:
    with open(cli.user_path(_OUTPUT.value), "w") as f:
      f.write(text + "\n")
  print(text, flush=True)


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
