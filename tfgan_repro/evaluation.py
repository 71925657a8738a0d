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


def _translate(net, images: np.ndarray, batch: int = 8) -> tf.Tensor:
  outs = [net(images[i : i + batch], training=False) for i in range(0, len(images), batch)]
  return tf.concat(outs, axis=0)


def evaluate(config: ml_collections.ConfigDict, model: GANModel) -> dict:
  """PSNR/SSIM of each generator's translation of the paired test split against the true image
  of its target domain (CycleGAN: G_AB(a) vs the true b, G_BA(b) vs the true a), with the
  identity baseline (input unchanged) beside each."""
  try:
    a, b = data.paired_test_arrays(config.data, config.eval.num_images)
  except data.NoGroundTruthError as err:
    return {"ground_truth": False, "reason": str(err)}
  domains = {"A": a, "B": b}
  result = {"ground_truth": True, "num_images": int(len(a))}
  for name, net in model.generators.items():
    source, target = model.directions[name]
    inputs, truth = domains[source], domains[target]
    scores = paired_scores(_translate(net, inputs), truth)
    baseline = paired_scores(inputs, truth)
    result[name] = {**scores, "identity_psnr": baseline["psnr"], "identity_ssim": baseline["ssim"]}
    result[name]["psnr_gain_db"] = scores["psnr"] - baseline["psnr"]
  return result


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
      f"{name:<8} {r['psnr']:7.2f} {r['ssim']:6.3f} {r['identity_psnr']:14.2f} {r['identity_ssim']:14.3f} "
      f"{r['psnr_gain_db']:8.2f}"
    )
  return "\n".join(lines)


def write_eval(result: dict, workdir: str) -> str:
  path = os.path.join(workdir, EVAL_FILE)
  with open(path + ".tmp", "w") as f:
    json.dump(result, f, indent=2)
  os.replace(path + ".tmp", path)
  return path
