"""The translation task (unpaired and paired: CycleGAN, pix2pix, pix2pixHD): each generator scored
against the procedural ground truth, its samples and its export check inputs."""

from __future__ import annotations

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.data.procedural import city
from tfgan_repro.evaluation import segmenter
from tfgan_repro.evaluation.metrics import paired_scores
from tfgan_repro.evaluation.metrics.segmentation import SCORES
from tfgan_repro.models import GANModel
from tfgan_repro.tasks.registry import Inputs, Task, register_task, test_count
from tfgan_repro.util.paths import user_path

CLASS_MEAN_PAIRS = 100  # training pairs the class-mean colour baseline averages over
_BATCH = 8


def _translate(model: GANModel, name: str, images: np.ndarray, batch: int = _BATCH) -> tf.Tensor:
  outs = [model.translate(name, images[i : i + batch]) for i in range(0, len(images), batch)]
  return tf.concat(outs, axis=0)


def class_mean_colors(config: ml_collections.ConfigDict, num: int = CLASS_MEAN_PAIRS) -> np.ndarray:
  """float32 [num_classes, 3] in [-1, 1]: each class's mean colour in the target photos of the
  first `num` training pairs (eval transform); a class never seen gets 0 (grey)."""
  pairs = data.paired_dataset(config.data, "train", _BATCH, training=False, seed=config.seed)
  classes = len(data.label_palette(config.data))
  sums, counts, seen = 0.0, 0.0, 0
  for a, b in pairs.take(-(-num // _BATCH)).as_numpy_iterator():
    a, b = a[: num - seen, ..., :classes], b[: num - seen]  # one-hot channels only
    sums = sums + np.einsum("nhwc,nhwd->cd", a.astype(np.float64), b)  # [C, 3] per class
    counts = counts + a.sum(axis=(0, 1, 2))  # [C]
    seen += len(a)
  return (sums / np.maximum(counts, 1.0)[:, None]).astype(np.float32)


def _baseline(
  config: ml_collections.ConfigDict, inputs: np.ndarray, truth: np.ndarray
) -> tuple[str | None, dict]:
  """(name, scores) of the trivial translation: the input itself where it is an image like the
  target ("identity"); for one-hot label maps, each class painted in its mean training colour
  ("class_mean": what a colour lookup of the labels can reach); else (None, {})."""
  if inputs.shape == truth.shape:
    return "identity", paired_scores(inputs, truth)
  if data.label_palette(config.data) is not None:
    colors = class_mean_colors(config)  # [C, 3]; onehot_instance inputs add an id channel
    return "class_mean", paired_scores(inputs[..., : len(colors)] @ colors, truth)
  return None, {}


def evaluate(
  config: ml_collections.ConfigDict, model: GANModel, segmenter_path: str | None = None
) -> dict:
  """PSNR/SSIM of each generator's translation of the paired test split against the true image
  of its target domain (CycleGAN: G_AB(a) vs the true b, G_BA(b) vs the true a; pix2pix: G(a)
  vs the true b), by the model's test protocol (`GANModel.translate`), with a trivial baseline
  beside each (`_baseline`: identity, or class-mean colours for one-hot label maps) and the gain
  over it. Random draws at test time (pix2pix's dropout) are seeded with config.seed. For the
  city source with a segmenter (`segmenter_path`; None = config.eval.segmenter, "" = none), also
  the FCN-score (`_segmentation`). A test split smaller than config.eval.num_images is scored
  whole: "num_images" is the count scored, "num_images_requested" the config's."""
  requested = config.eval.num_images
  try:
    a, b = data.paired_test_arrays(config.data, test_count(config, requested))
  except data.NoGroundTruthError as err:
    return {"ground_truth": False, "reason": str(err)}
  domains = {"A": a, "B": b}
  result = {"ground_truth": True, "num_images": int(len(a)), "num_images_requested": requested}
  tf.random.set_seed(config.seed)  # the same scores from the run and from the eval binary
  fakes = {}
  for name in model.generators:
    source, target = model.directions[name]
    inputs, truth = domains[source], domains[target]
    fakes[name] = _translate(model, name, inputs).numpy()
    scores = paired_scores(fakes[name], truth)
    baseline, base = _baseline(config, inputs, truth)
    result[name] = {**scores, "baseline": baseline, "identity_psnr": None, "identity_ssim": None}
    if baseline is not None:
      result[name].update({f"{baseline}_psnr": base["psnr"], f"{baseline}_ssim": base["ssim"]})
    result[name]["psnr_gain_db"] = None if baseline is None else scores["psnr"] - base["psnr"]
  path = config.eval.get("segmenter", "") if segmenter_path is None else segmenter_path
  result["segmentation"] = _segmentation(config, path, model, domains, fakes, result)
  return result


def _label_domains(config: ml_collections.ConfigDict) -> tuple[str, str] | None:
  """(label-map domain, photo domain) after data.direction for the city source, else None."""
  cfg = data.resolve_data_config(config.data)
  if cfg.source != "city":
    return None
  return ("A", "B") if cfg.direction == "AtoB" else ("B", "A")


def city_label_ids(config: ml_collections.ConfigDict, labels: np.ndarray) -> np.ndarray:
  """int [N, H, W] city class ids of label maps as the pipeline yields them: palette colours in
  [-1, 1] (the nearest city.PALETTE colour), else one-hot first (argmax of the class channels;
  onehot_instance's instance channel follows them)."""
  if data.resolve_data_config(config.data).label_format == "color":
    palette = city.PALETTE.astype(np.float32) / 127.5 - 1.0  # [K, 3]
    return np.argmin(((labels[..., None, :] - palette) ** 2).sum(-1), axis=-1)
  return np.argmax(labels[..., : len(city.CLASSES)], axis=-1)


def _segmentation(
  config: ml_collections.ConfigDict,
  path: str,
  model: GANModel,
  domains: dict[str, np.ndarray],
  fakes: dict[str, np.ndarray],
  result: dict,
) -> dict:
  """The FCN-score (pix2pix Sec. 4.2): the segmenter at `path` labels the true photos (the upper
  bound) and each label -> photo generator's photos; adds each generator's scores (class_iou in
  the order of "classes") to result[name]["segmentation"] and returns {"segmenter", "classes",
  "true_photos"}, or {"segmenter": None, "reason"} when off (`path` empty)."""
  domains_of = _label_domains(config)
  if not path:
    return {"segmenter": None, "reason": "off: config.eval.segmenter is empty (eval --segmenter)"}
  if domains_of is None:
    return {"segmenter": None, "reason": f"source {config.data.source!r} has no city label maps"}
  label_domain, photo_domain = domains_of
  photos, labels = domains[photo_domain], city_label_ids(config, domains[label_domain])
  net = segmenter.load_segmenter(user_path(path), *photos.shape[1:3])
  for name in model.generators:
    if model.directions[name] == (label_domain, photo_domain):
      result[name]["segmentation"] = segmenter.score(net, fakes[name], labels)
  true = segmenter.score(net, photos, labels)
  return {"segmenter": user_path(path), "classes": list(city.CLASSES), "true_photos": true}


def _number(value: float | None, width: int, digits: int) -> str:
  return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def format_eval(result: dict) -> str:
  """A readable table of `evaluate`'s result."""
  if not result["ground_truth"]:
    return f"eval: {result['reason']}"
  num = result["num_images"]
  requested = result.get("num_images_requested", num)
  short = f"; eval.num_images is {requested}, the test split has {num}" if requested > num else ""
  columns = ("PSNR", "SSIM", "baseline", "PSNR", "SSIM", "gain dB")
  widths = (7, 6, 10, 7, 6, 8)
  lines = [
    f"eval on {num} paired test images (truth = the same scene in the target domain{short})",
    f"{'network':<8} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)),
  ]
  for name, r in result.items():
    if not isinstance(r, dict) or "psnr" not in r:
      continue
    base = r.get("baseline")
    lines.append(
      f"{name:<8} {r['psnr']:7.2f} {r['ssim']:6.3f} {base or '-':>10} "
      f"{_number(r.get(f'{base}_psnr'), 7, 2)} {_number(r.get(f'{base}_ssim'), 6, 3)} "
      f"{_number(r['psnr_gain_db'], 8, 2)}"
    )
  return "\n".join(lines + _format_segmentation(result))


def _format_segmentation(result: dict) -> list[str]:
  """The FCN-score rows, as the pix2pix / CycleGAN papers' tables (true photos last)."""
  seg = result.get("segmentation", {})
  if not seg.get("segmenter"):
    return [f"segmentation score: {seg.get('reason', 'off')}"] if seg else []
  rows = {
    n: r["segmentation"] for n, r in result.items() if isinstance(r, dict) and "segmentation" in r
  }
  rows["true photo"] = seg["true_photos"]
  lines = [
    f"segmentation score (segmenter {seg['segmenter']})",
    f"{'photos':<10} {'per-pixel acc':>13} {'per-class acc':>13} {'class IoU':>9}",
  ]
  for name, r in rows.items():
    lines.append(
      f"{name:<10} " + " ".join(f"{r[k]:{w}.3f}" for k, w in zip(SCORES, (13, 13, 9), strict=True))
    )
  return lines


@register_task("translation")
class TranslationTask(Task):
  """Images -> images: `evaluate` (PSNR / SSIM against the truth, the trivial baseline, with a
  segmenter the FCN-score), the samples.png sheet, export checked on held-out source images."""

  inputs = ("images",)
  judges = ("segmenter",)

  def score(
    self, config: ml_collections.ConfigDict, model: GANModel, segmenter: str | None = None
  ) -> dict:
    return evaluate(config, model, segmenter)

  def format(self, result: dict) -> str:
    return format_eval(result)

  def export_check_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int
  ) -> Inputs:
    """The first `num` test examples of the generator's source domain, in the form its
    exported network takes them (GANModel.serving_inputs)."""
    source = model.directions[name][0]
    num = test_count(config, num, what="export.num_check_images")
    return model.serving_inputs(data.domain_images(config.data, "test", source, num))
