"""Scores a trained translation model against the procedural ground truth."""

from __future__ import annotations

import json
import os

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.metrics import paired_scores
from tfgan_repro.models import GANModel

EVAL_FILE = "eval.json"


def _translate(model: GANModel, name: str, images: np.ndarray, batch: int = 8) -> tf.Tensor:
  outs = [model.translate(name, images[i : i + batch]) for i in range(0, len(images), batch)]
  return tf.concat(outs, axis=0)


def evaluate(config: ml_collections.ConfigDict, model: GANModel) -> dict:
  """PSNR/SSIM of each generator's translation of the paired test split against the true image
  of its target domain (CycleGAN: G_AB(a) vs the true b, G_BA(b) vs the true a; pix2pix: G(a)
  vs the true b), by the model's test protocol (`GANModel.translate`), with the identity baseline
  (input unchanged) beside each where the input is an image like the target (not for one-hot
  label maps: None). Random draws at test time (pix2pix's dropout) are seeded with config.seed."""
  try:
    a, b = data.paired_test_arrays(config.data, config.eval.num_images)
  except data.NoGroundTruthError as err:
    return {"ground_truth": False, "reason": str(err)}
  domains = {"A": a, "B": b}
  result = {"ground_truth": True, "num_images": int(len(a))}
  tf.random.set_seed(config.seed)  # the same scores from the run and from the eval binary
  for name in model.generators:
    source, target = model.directions[name]
    inputs, truth = domains[source], domains[target]
    scores = paired_scores(_translate(model, name, inputs), truth)
    baseline = {"psnr": None, "ssim": None}  # no identity map from label maps to photos
    if inputs.shape == truth.shape:
      baseline = paired_scores(inputs, truth)
    gain = None if baseline["psnr"] is None else scores["psnr"] - baseline["psnr"]
    result[name] = {
      **scores,
      "identity_psnr": baseline["psnr"],
      "identity_ssim": baseline["ssim"],
      "psnr_gain_db": gain,
    }
  return result


def _number(value: float | None, width: int, digits: int) -> str:
  return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def format_eval(result: dict) -> str:
  """A readable table of `evaluate`'s result."""
  if not result["ground_truth"]:
    return f"eval: {result['reason']}"
  lines = [
    f"eval on {result['num_images']} paired test images (truth = the same scene in the target domain)"
  ]
  lines.append(
    f"{'network':<8} {'PSNR':>7} {'SSIM':>6} {'identity PSNR':>14} {'identity SSIM':>14} {'gain dB':>8}"
  )
  for name, r in result.items():
    if not isinstance(r, dict):
      continue
    lines.append(
      f"{name:<8} {r['psnr']:7.2f} {r['ssim']:6.3f} {_number(r['identity_psnr'], 14, 2)} "
      f"{_number(r['identity_ssim'], 14, 3)} {_number(r['psnr_gain_db'], 8, 2)}"
    )
  return "\n".join(lines)


def write_eval(result: dict, workdir: str) -> str:
  path = os.path.join(workdir, EVAL_FILE)
  with open(path + ".tmp", "w") as f:
    json.dump(result, f, indent=2)
  os.replace(path + ".tmp", path)
  return path
