"""The loss zoo on the 2-D mixtures: one MLP GAN per (adversarial loss, seed), the same steps,
scored by VEEGAN's measures (Srivastava et al. 2017, Sec. 5.1): modes covered and the fraction of
high-quality samples (within 3 std of a mode), on 2500 samples of the trained G."""

from __future__ import annotations

import os
import tempfile

import ml_collections
import numpy as np

from tfgan_repro.data.procedural import mixtures
from tfgan_repro.evaluation.metrics import mode_coverage
from tfgan_repro.training import run

NUM_SAMPLES = 2500  # VEEGAN Sec. 5.1
# The regulariser each loss is defined with: WGAN-GP's penalty lambda = 10 (Gulrajani et al. 2017,
# Algorithm 1) and WGAN's clipping c = 0.01 (Arjovsky et al. 2017, Algorithm 1). Every loss
# trains at n_critic 1, so all runs take the same G and D steps.
COMPANIONS = {"wgangp": {"gp_lambda": 10.0}, "wgan": {"clip_value": 0.01}}


def score_run(config: ml_collections.ConfigDict, workdir: str) -> dict:
  """Trains `config` in `workdir` and scores 2500 samples of its shipped G."""
  model = run.train(config, workdir)
  mixture = mixtures.mixture(config.data.source)
  points = model.sample(NUM_SAMPLES, seed=config.seed + 10_000)
  scores = mode_coverage.mixture_scores(points, mixture.means, mixture.std)
  return {"modes": scores["modes"], "high_quality": scores["high_quality"]}


def loss_zoo(
  config: ml_collections.ConfigDict,
  gan_modes: list[str],
  seeds: list[int],
  steps: int,
  workdir: str | None = None,
) -> dict[str, list[dict]]:
  """{gan_mode: [scores per seed]} of `config` trained `steps` steps per (mode, seed)."""
  root = workdir or tempfile.mkdtemp(prefix="loss_zoo-")
  results: dict[str, list[dict]] = {}
  for mode in gan_modes:
    for seed in seeds:
      run_config = ml_collections.ConfigDict(config.to_dict())
      run_config.loss.gan_mode = mode
      run_config.loss.update(COMPANIONS.get(mode, {}))
      run_config.seed = seed
      run_config.train.max_steps = steps
      run_config.export.enabled = False
      path = os.path.join(root, f"{config.data.source}-{mode}-seed{seed}")
      results.setdefault(mode, []).append(score_run(run_config, path))
      print(f"{mode} seed {seed}: {results[mode][-1]}", flush=True)
  return results


def format_table(source: str, results: dict[str, list[dict]], num_modes: int) -> str:
  """A markdown table: per loss, modes covered and high-quality fraction, mean +- std."""
  lines = [
    f"| loss ({source}) | modes covered (of {num_modes}) | high-quality fraction | seeds |",
    "|---|---|---|---|",
  ]
  for mode, rows in results.items():
    modes = np.array([r["modes"] for r in rows], np.float64)
    quality = np.array([r["high_quality"] for r in rows], np.float64)
    lines.append(
      f"| {mode} | {modes.mean():.1f} +- {modes.std():.1f} "
      f"({', '.join(str(int(m)) for m in modes)}) | {quality.mean():.3f} +- {quality.std():.3f} "
      f"| {len(rows)} |"
    )
  return "\n".join(lines)
