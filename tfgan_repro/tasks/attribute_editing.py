"""The attribute-editing task (Fader Networks, FaderGAN, StarGAN, CycleCGAN), scored on the faces.

The model contract (models/attribute_editor.py): `model.generators["G"]` takes [image [N, S, S, 3] in
[-1, 1], condition [N, A]] and returns the edited image; `model.edit_condition(y)` is the
condition that asks for the {0, 1} attribute vector y (the identity for Fader / StarGAN, 2y - 1
for CycleCGAN). The test faces come from data.attribute_test_arrays read with
dataset_mode "attributes" whatever the run's (CycleCGAN trains on the unaligned faces pipeline):
data.attributes names the A attributes (CycleCGAN: one).

- `evaluate_edits`: each test face x with attributes y is edited once per attribute i, to y with
  attribute i flipped, and scored against the true render of that edit (PSNR / SSIM, beside the
  unchanged input as the baseline to beat); G(x, y) against x is the reconstruction; with an
  attribute classifier, the flip and keep accuracy of the edits (metrics.attribute_edit).
- `sweep`: for each attribute, its condition slid over config.eval.slider (G units, past the
  trained range) with the others kept: a PNG sheet, and with a classifier the mean probability
  of the attribute along the slide, plotted with the trained range shaded.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import ml_collections
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from tfgan_repro import data
from tfgan_repro.evaluation import attribute_classifier
from tfgan_repro.evaluation.metrics.attribute_edit import (
  edit_accuracy,
  edit_fidelity,
  flip_targets,
  reconstruction_scores,
)
from tfgan_repro.models import GANModel
from tfgan_repro.models.attribute_editor import GENERATOR
from tfgan_repro.tasks.registry import Inputs, Task, register_task, sample_sheet, test_count
from tfgan_repro.training.images import grid, save_png
from tfgan_repro.util.atomic import write_bytes_atomic, write_json_atomic
from tfgan_repro.util.paths import user_path

_BATCH = 16


def _generate(model: GANModel, images: np.ndarray, conditions: np.ndarray) -> np.ndarray:
  """G([images, conditions]) in inference mode (the shipped G: its EMA copy where the model
  keeps one), in batches: float32 [N, S, S, 3]."""
  G = model.shipped_generators[GENERATOR]
  outs = [
    G([images[i : i + _BATCH], conditions[i : i + _BATCH]], training=False)
    for i in range(0, len(images), _BATCH)
  ]
  return tf.concat(outs, axis=0).numpy()


def _condition(model: GANModel, attributes01: np.ndarray) -> np.ndarray:
  """float32 [N, A]: G's condition asking for the {0, 1} attributes [N, A]."""
  return np.asarray(model.edit_condition(tf.constant(attributes01, tf.float32)), np.float32)


def _attribute_data(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """config.data read as attribute data (dataset_mode "attributes"), the run's own mode aside."""
  cfg = ml_collections.ConfigDict(config.data.to_dict())
  cfg.dataset_mode = "attributes"
  return cfg


def _classifier_path(config: ml_collections.ConfigDict, classifier_path: str | None) -> str:
  return config.eval.get("classifier", "") if classifier_path is None else classifier_path


def evaluate_edits(
  config: ml_collections.ConfigDict, model: GANModel, classifier_path: str | None = None
) -> dict:
  """Edit fidelity, reconstruction and (with a classifier) flip / keep accuracy of `model` on
  config.eval.num_images test faces (module doc). `classifier_path` None = config.eval.classifier;
  "" = no classifier scores (result["classifier"] says why). Sources without true edits give
  {"ground_truth": False, "reason"}."""
  cfg = _attribute_data(config)
  requested = config.eval.num_images
  try:
    images, attributes, true_edits = data.attribute_test_arrays(
      cfg, test_count(config, requested, cfg)
    )
  except data.NoGroundTruthError as err:
    return {"ground_truth": False, "reason": str(err)}
  names = data.attribute_names(cfg)
  tf.random.set_seed(config.seed)  # the same scores from the run and from the eval binary
  targets = flip_targets(attributes)  # [N, A, A]: row i asks for attribute i flipped
  edits = np.stack(
    [_generate(model, images, _condition(model, targets[:, i])) for i in range(len(names))], axis=1
  )  # [N, A, S, S, 3]
  unchanged = np.repeat(images[:, None], len(names), axis=1)  # [N, A, S, S, 3]: the baseline
  reconstruction = _generate(model, images, _condition(model, attributes))
  result = {
    "ground_truth": True,
    "num_images": int(len(images)),
    "num_images_requested": requested,
    "attribute_names": list(names),
    "reconstruction": reconstruction_scores(reconstruction, images),
    **_fidelity(names, edits, unchanged, true_edits),
  }
  path = _classifier_path(config, classifier_path)
  if not path:
    result["classifier"] = {
      "classifier": None,
      "reason": "off: config.eval.classifier is empty (train one with train_attribute_classifier)",
    }
    return result
  net = attribute_classifier.load_classifier(user_path(path), names, images.shape[1])
  judged = {"edits": edits, "true_edits": true_edits, "identity": unchanged}
  scores = {k: _judge(net, v, attributes) for k, v in judged.items()}  # each [N, A, S, S, 3]
  for i, name in enumerate(names):
    result["edits"][name]["flip_accuracy"] = scores["edits"]["flip_accuracy"][i]
    result["edits"][name]["keep_accuracy"] = scores["edits"]["keep_accuracy"][i]
  result["mean"]["flip_accuracy"] = scores["edits"]["mean_flip_accuracy"]
  result["mean"]["keep_accuracy"] = scores["edits"]["mean_keep_accuracy"]
  result["classifier"] = {
    "classifier": user_path(path),
    "true_edits": scores["true_edits"],  # the ceiling: the classifier on the true renders
    "identity": scores["identity"],  # the floor: the unchanged input as every edit
  }
  return result


def _fidelity(
  names: Sequence[str], edits: np.ndarray, unchanged: np.ndarray, true_edits: np.ndarray
) -> dict:
  """{"edits": per attribute, "mean"}: PSNR / SSIM of the edits and of the unchanged inputs
  ("identity_*"), each [N, A, S, S, 3], against the true edits."""
  fidelity, identity = edit_fidelity(edits, true_edits), edit_fidelity(unchanged, true_edits)
  per_attribute = {
    name: {
      "psnr": fidelity["psnr"][i],
      "ssim": fidelity["ssim"][i],
      "identity_psnr": identity["psnr"][i],
      "identity_ssim": identity["ssim"][i],
    }
    for i, name in enumerate(names)
  }
  mean = {
    "psnr": fidelity["mean_psnr"],
    "ssim": fidelity["mean_ssim"],
    "identity_psnr": identity["mean_psnr"],
    "identity_ssim": identity["mean_ssim"],
  }
  return {"edits": per_attribute, "mean": mean}


def _judge(net, edits: np.ndarray, attributes: np.ndarray) -> dict:
  """Flip / keep accuracy of edits [N, A, S, S, 3] of faces with source attributes [N, A]."""
  n, a = attributes.shape
  probabilities = attribute_classifier.predict(net, edits.reshape(n * a, *edits.shape[2:]))
  return edit_accuracy(probabilities.reshape(n, a, a), attributes)  # [N * A, A] -> [N, A, A]


def _number(value: float | None, width: int, digits: int) -> str:
  return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def format_edits(result: dict) -> str:
  """A readable table of `evaluate_edits`' result."""
  if not result["ground_truth"]:
    return f"attribute eval: {result['reason']}"
  rec = result["reconstruction"]
  columns = (("PSNR", 7, 2), ("SSIM", 6, 3), ("id PSNR", 8, 2), ("id SSIM", 8, 3))
  columns += (("flip acc", 8, 3), ("keep acc", 8, 3))
  keys = ("psnr", "ssim", "identity_psnr", "identity_ssim", "flip_accuracy", "keep_accuracy")
  lines = [
    f"attribute edits on {result['num_images']} test faces (truth = the same face rendered with "
    "the attribute flipped; id = the unchanged input)",
    f"reconstruction G(x, y) vs x: PSNR {rec['psnr']:.2f} dB, SSIM {rec['ssim']:.3f}",
    f"{'attribute':<12} " + " ".join(f"{c:>{w}}" for c, w, _ in columns),
  ]
  rows = {**result["edits"], "mean": result["mean"]}
  for name, r in rows.items():
    cells = [_number(r.get(k), w, d) for k, (_, w, d) in zip(keys, columns, strict=True)]
    lines.append(f"{name:<12} " + " ".join(cells))
  cls = result["classifier"]
  if not cls["classifier"]:
    return "\n".join([*lines, f"classifier: {cls['reason']}"])
  bounds = [
    f"{label} flip {cls[k]['mean_flip_accuracy']:.3f}, keep "
    + _number(cls[k]["mean_keep_accuracy"], 0, 3).strip()
    for k, label in (("true_edits", "true edits"), ("identity", "unchanged input"))
  ]
  return "\n".join([*lines, f"classifier {cls['classifier']}: " + "; ".join(bounds)])


def _slide(
  model: GANModel,
  images: np.ndarray,
  attributes: np.ndarray,
  attribute_index: int,
  values: Sequence[float],
) -> np.ndarray:
  """float32 [N, K, S, S, 3]: G with attribute `attribute_index`'s condition set to each of the K
  `values` (G units) and the other attributes' conditions kept at the faces' own [N, A]."""
  kept = _condition(model, attributes)  # [N, A]
  if not 0 <= attribute_index < kept.shape[1]:
    raise ValueError(f"attribute_index must be in [0, {kept.shape[1]}), got {attribute_index}")
  outs = []
  for value in values:
    condition = kept.copy()
    condition[:, attribute_index] = value
    outs.append(_generate(model, images, condition))
  return np.stack(outs, axis=1)


def _sheet(images: np.ndarray, slid: np.ndarray) -> np.ndarray:
  """uint8 sheet of the inputs [N, S, S, 3] beside their slides [N, K, S, S, 3]."""
  return grid({"input": images, **{f"value{k}": slid[:, k] for k in range(slid.shape[1])}})


def trained_range(
  model: GANModel, num_attributes: int, attribute_index: int
) -> tuple[float, float]:
  """(lo, hi) of the attribute's condition over the training values {0, 1}, in G units."""
  ends = _condition(model, np.stack([np.zeros(num_attributes), np.ones(num_attributes)]))
  lo, hi = sorted(float(v) for v in ends[:, attribute_index])
  return lo, hi


def slider_plot(
  values: Sequence[float],
  scores: Sequence[float],
  path: str,
  *,
  trained: tuple[float, float],
  attribute: str = "",
) -> str:
  """A PNG at `path`: the classifier's mean probability of `attribute` (`scores`) against the
  condition `values`, the trained range `trained` (lo, hi) shaded. Returns `path`."""
  if len(values) != len(scores):
    raise ValueError(f"values ({len(values)}) and scores ({len(scores)}) lengths differ")
  fig = Figure(figsize=(4.0, 3.0), dpi=100)  # matplotlib's Agg canvas: no display, no pyplot state
  ax = fig.subplots()
  ax.axvspan(*trained, color="tab:green", alpha=0.2, label="trained range")
  ax.plot(values, scores, "o-", color="tab:blue", label="mean P(attribute)")
  ax.set(xlabel=f"{attribute} condition (G units)", ylabel="classifier probability", ylim=(0, 1))
  ax.set_title(f"slider: {attribute}" if attribute else "slider")
  ax.legend(loc="best", fontsize="small")
  fig.tight_layout()
  buffer = io.BytesIO()
  fig.savefig(buffer, format="png")
  return write_bytes_atomic(path, buffer.getvalue())


def sweep(
  config: ml_collections.ConfigDict,
  model: GANModel,
  classifier_path: str | None,
  workdir: str,
) -> dict:
  """For each attribute, its condition slid over config.eval.slider_steps values in
  config.eval.slider = (lo, hi) on config.eval.num_images test faces (others kept): writes
  WORKDIR/sliders_<attribute>.png (the first config.eval.sample_rows faces) and, with a
  classifier (`classifier_path`; None = config.eval.classifier, "" = none),
  WORKDIR/sliders_<attribute>_score.png. Returns {attribute: {"values", "trained_range",
  "mean_probability" ([K], None without a classifier), "sheet", "plot"}}."""
  lo, hi = config.eval.slider
  steps = config.eval.slider_steps
  if not hi > lo or steps < 2:
    raise ValueError(
      f"config.eval.slider must be (lo, hi) with hi > lo and slider_steps >= 2, got {(lo, hi)}, {steps}"
    )
  values = [float(v) for v in np.linspace(lo, hi, steps)]
  cfg = _attribute_data(config)
  num = test_count(config, config.eval.num_images, cfg)
  images, attributes, _ = data.attribute_test_arrays(cfg, num)
  names = data.attribute_names(cfg)
  path = _classifier_path(config, classifier_path)
  net = (
    attribute_classifier.load_classifier(user_path(path), names, images.shape[1]) if path else None
  )
  tf.random.set_seed(config.seed)
  rows = config.eval.sample_rows
  result = {}
  for i, name in enumerate(names):
    slid = _slide(model, images, attributes, i, values)  # [N, K, S, S, 3]
    sheet = _sheet(images[:rows], slid[:rows])
    entry = {
      "values": values,
      "trained_range": list(trained_range(model, len(names), i)),
      "mean_probability": None,
      "sheet": save_png(sheet, os.path.join(workdir, f"sliders_{name}.png")),
      "plot": None,
    }
    if net is not None:
      n, k = slid.shape[:2]
      probabilities = attribute_classifier.predict(net, slid.reshape(n * k, *slid.shape[2:]))
      entry["mean_probability"] = [float(p) for p in probabilities[:, i].reshape(n, k).mean(0)]
      entry["plot"] = slider_plot(
        values,
        entry["mean_probability"],
        os.path.join(workdir, f"sliders_{name}_score.png"),
        trained=tuple(entry["trained_range"]),
        attribute=name,
      )
    result[name] = entry
  return result


SLIDERS_FILE = "sliders.json"


def write_sweep(result: dict, workdir: str) -> str:
  """`sweep`'s result as WORKDIR/sliders.json (atomically): per attribute the slid values, the
  trained range, the classifier's mean probability along the slide and the PNG paths."""
  return write_json_atomic(os.path.join(workdir, SLIDERS_FILE), result)


@register_task("attribute_editing")
class AttributeEditingTask(Task):
  """Images + attributes -> images: `evaluate_edits` (with an attribute classifier as judge), the
  samples.png sheet plus the slider sheets, score plots and sliders.json of `sweep`, export
  checked on held-out faces asked for every attribute flipped."""

  inputs = ("images", "attributes")
  judges = ("classifier",)

  def score(
    self, config: ml_collections.ConfigDict, model: GANModel, classifier: str | None = None
  ) -> dict:
    return evaluate_edits(config, model, classifier)

  def format(self, result: dict) -> str:
    return format_edits(result)

  def write_samples(
    self, config: ml_collections.ConfigDict, model: GANModel, workdir: str
  ) -> dict[str, str]:
    """samples.png, then sliders_<attribute>.png (+ _score.png with config.eval.classifier) and
    sliders.json."""
    samples = sample_sheet(config, model, workdir)
    return {
      "samples": samples,
      "sliders": write_sweep(sweep(config, model, None, workdir), workdir),
    }

  def export_check_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int
  ) -> Inputs:
    """The first `num` test faces, each asked for all its attributes flipped."""
    num = test_count(config, num, _attribute_data(config), what="export.num_check_images")
    images, attributes, _ = data.attribute_test_arrays(config.data, num)
    condition = np.asarray(model.edit_condition(1.0 - attributes), np.float32)
    return {"images": images, "attributes": condition}
