"""The synthesis task (noise -> image: DCGAN and the unconditional / class-conditional GANs after
it): FID / KID / precision / recall against held-out real images, mode coverage on stacked shapes,
a sample sheet of a fixed latent grid, export of G with its latent inputs.

The model contract (models/synthesis.py): `generators == {"G": G}`, G maps z float32 [N, z_dim]
(class-conditional, num_classes > 0: [z, class ids int32 [N]]) to images [N, S, S, C] in [-1, 1];
`z_dim`, `latent_distribution` ("normal" | "uniform"), `num_classes`; `shipped_generators` (the
EMA copy where the model keeps one) is what is scored, shown and exported. Latents come from
tfgan_repro.data.latents.sample_latents (stateless, seeded): the same z for a seed in the sheet,
evaluation, bin.generate and the SavedModel's `generate` signature.

Features (config.eval.extractor, a file; "" = no FID): a shape judge (evaluation/shape_judge.py;
stacked shapes: each channel's pooled judge features, concatenated, 3 x D), an attribute
classifier (its penultimate "pool" layer; faces), else a feature model file or InceptionV3 weights
(evaluation/features.py). Only the FID Inception network, on the paper's dataset, gives numbers
comparable with published ones; the result says which extractor it used and whether.
"""

from __future__ import annotations

import os

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.data import points as point_data
from tfgan_repro.data.latents import CLASS_KEY, LATENT_KEY, LatentSpec, class_ids, sample_latents
from tfgan_repro.data.procedural import mixtures, stacked_shapes
from tfgan_repro.data.transforms import to_float
from tfgan_repro.evaluation import class_judge, features, shape_judge
from tfgan_repro.evaluation.metrics import (
  class_conditional,
  metric_kid,
  metric_ppl,
  metric_pr,
  synthesis_metrics,
)
from tfgan_repro.evaluation.metrics.mode_coverage import discrete_mode_scores, mixture_scores
from tfgan_repro.models import GANModel
from tfgan_repro.models.synthesis import SCATTER_POINTS, scatter
from tfgan_repro.tasks.registry import SAMPLES_FILE, Inputs, Task, register_task, test_count
from tfgan_repro.tasks.style_generator import (
  StyleGenerator,
  is_style_based,
  noise_variables,
  style_parts,
)
from tfgan_repro.training import callbacks as cb
from tfgan_repro.training.images import grid, save_png
from tfgan_repro.util.paths import user_path

GENERATOR = "G"
SAMPLE_COLS = 8  # columns of samples.png (config.eval.sample_cols overrides)
MAX_CLASS_ROWS = 10  # class-conditional samples.png: one row per class, at most this many
# Seeds of the latents, offsets of config.seed: the sheet's fixed grid, evaluation, export checks,
# int8 calibration.
SHEET_SEED, EVAL_SEED, CHECK_SEED, CALIBRATION_SEED = 0, 1, 2, 3
BEST_DIR = "best_fid"  # WORKDIR/best_fid/ckpt-STEP + best.json: the checkpoint of the lowest FID
PROCEDURAL_SOURCES = (
  "faces",
  "stacked_shapes",
  "class_shapes",
)  # image sources rendered by this repo
_BATCH = 64
# Stacked shapes: modes scored on this many generated and as many held-out real images (the
# stacked-MNIST protocol: official PacGAN num_test_sample 26,000; config.eval.mode_samples
# overrides).
MODE_SAMPLES = 26_000
_MODE_CHUNK = 1024


def latent_spec(model: GANModel) -> LatentSpec:
  """The latents `model`'s G takes."""
  return LatentSpec(
    int(model.z_dim),
    getattr(model, "latent_distribution", "normal"),
    int(getattr(model, "num_classes", 0) or 0),
  )


def generate_images(
  generator: keras.Model,
  spec: LatentSpec,
  seed: int,
  count: int,
  truncation: float | None = None,
  classes: list[int] | np.ndarray | None = None,
  batch: int = _BATCH,
) -> np.ndarray:
  """float32 [count, S, S, C]: `generator` (inference mode) on the latents of `seed`
  (data.latents.sample_latents) and, class-conditional, classes[i % len(classes)] (default:
  every class in turn)."""
  z = sample_latents(seed, count, spec.z_dim, spec.distribution, truncation)  # [count, z_dim]
  ids = class_ids(count, spec.num_classes, classes) if spec.num_classes else None
  return _run(generator, z, ids, batch)


def _run(
  generator: keras.Model, z: np.ndarray, ids: np.ndarray | None, batch: int = _BATCH
) -> np.ndarray:
  """float32 [N, S, S, C]: `generator` (inference mode) on latents z [N, z_dim] (and class ids
  [N, 1] when conditional), `batch` at a time."""
  outs = []
  for i in range(0, len(z), batch):
    x = z[i : i + batch] if ids is None else [z[i : i + batch], ids[i : i + batch]]
    outs.append(tf.cast(generator(x, training=False), tf.float32).numpy())
  return np.concatenate(outs) if outs else np.zeros((0,), np.float32)


def _shipped(model: GANModel) -> keras.Model:
  return model.shipped_generators[GENERATOR]


def sample_sheet(config: ml_collections.ConfigDict, model: GANModel, workdir: str) -> str:
  """WORKDIR/samples.png: the shipped G on a fixed latent grid, rows x cols latents of seed
  config.seed + SHEET_SEED (config.eval.sample_rows x config.eval.sample_cols); class-conditional:
  one row per class (the first MAX_CLASS_ROWS). The same grid at every step of a run."""
  spec = latent_spec(model)
  if _is_points(config):  # 2-D mixtures: the held-out points beside SCATTER_POINTS of G
    real, _ = point_data.point_arrays(config.data, "test")
    fake = generate_images(_shipped(model), spec, config.seed + SHEET_SEED, SCATTER_POINTS)
    sheet = grid({"real": scatter(real[:SCATTER_POINTS]), "G(z)": scatter(fake)})
    return save_png(sheet, os.path.join(workdir, SAMPLES_FILE))
  cols = int(config.eval.get("sample_cols", SAMPLE_COLS))
  rows = min(spec.num_classes, MAX_CLASS_ROWS) if spec.num_classes else config.eval.sample_rows
  classes = np.repeat(np.arange(rows), cols) if spec.num_classes else None  # row r: class r
  images = generate_images(
    _shipped(model), spec, config.seed + SHEET_SEED, rows * cols, classes=classes
  )  # [rows * cols, S, S, C], row-major
  sheet = grid({f"col{j}": images[j::cols] for j in range(cols)})  # [rows * S, cols * S, C]
  return save_png(sheet, os.path.join(workdir, SAMPLES_FILE))


def _is_points(config: ml_collections.ConfigDict) -> bool:
  return data.resolve_data_config(config.data).dataset_mode == "points"


def evaluate_points(config: ml_collections.ConfigDict, model: GANModel) -> dict:
  """2-D mixtures (VEEGAN Sec. 5.1): modes covered and the high-quality fraction of the held-out
  points (data.num_test) and of as many points of the shipped G (seed config.seed + EVAL_SEED)."""
  cfg = data.resolve_data_config(config.data)
  mixture = mixtures.mixture(cfg.source)
  real, _ = point_data.point_arrays(cfg, "test")
  fake = generate_images(_shipped(model), latent_spec(model), config.seed + EVAL_SEED, len(real))
  return {
    "num_images": int(len(real)),
    "generator": "EMA copy" if GENERATOR in model.ema_copies else "G",
    "latents": latent_spec(model).to_json(),
    "mixture": {"name": mixture.name, "num_modes": mixture.num_modes, "std": mixture.std},
    "generated": mixture_scores(fake, mixture.means, mixture.std),
    "real": mixture_scores(real, mixture.means, mixture.std),
  }


def _channel_features(judge: keras.Model, size: int) -> keras.Model:
  """RGB [N, size, size, 3] -> the judge's pooled features of each channel, concatenated."""
  cut = keras.Model(judge.inputs, judge.get_layer("pool").output)
  image = keras.Input((size, size, 3), name="image")
  channels = keras.ops.split(image, 3, axis=-1)  # 3 x [N, size, size, 1]
  pooled = keras.layers.Concatenate(name="channel_features")([cut(c) for c in channels])
  return keras.Model(image, pooled, name="shape_judge_features")


def load_extractor(
  config: ml_collections.ConfigDict, path: str
) -> tuple[features.FeatureExtractor, dict, keras.Model | None]:
  """(the extractor at `path`, what the report says of it, the shape judge when it is one)."""
  cfg = data.resolve_data_config(config.data)
  procedural = cfg.source in PROCEDURAL_SOURCES
  name = ""
  if path.endswith(".keras"):
    name = keras.models.load_model(path, compile=False).name
  if name == "shape_judge":
    judge = shape_judge.load_shape_judge(path, cfg.crop_size)
    size = cfg.crop_size
    extractor = features.FeatureExtractor(
      f"shape judge {path}", _channel_features(judge, size), (size, size), has_logits=False
    )
    kind = "shape_judge"
  elif name == "attribute_classifier":
    net = keras.models.load_model(path, compile=False)
    extractor = features.judge_extractor(net, "pool", name=f"attribute classifier {path}:pool")
    judge, kind = None, "attribute_classifier"
  elif name == "class_judge":
    net = class_judge.load_class_judge(path, cfg.crop_size)
    extractor = features.judge_extractor(net, "pool", name=f"class judge {path}:pool")
    judge, kind = None, "class_judge"
  else:
    extractor = features.load_extractor(path, config.eval.get("extractor_kind", "auto"))
    inception = "InceptionV3" in extractor.name
    judge, kind = None, "inception_v3" if inception else "model"
  comparable = kind == "model" and not procedural
  note = (
    "comparable with published FIDs only if this file is the FID Inception network (TF "
    "2015-12-05 graph) and the sample counts are the paper's"
    if comparable
    else "not comparable with published FIDs: "
    + (
      "a judge network of this repo on procedural data; compares runs of this repo only"
      if kind in ("shape_judge", "attribute_classifier", "class_judge")
      else "procedural data"
      if procedural
      else "keras.applications InceptionV3 weights, not the FID Inception network"
    )
  )
  info = {"extractor": extractor.name, "kind": kind, "comparable_with_published": comparable}
  return extractor, {**info, "note": note}, judge


def _metrics(real: np.ndarray, fake: np.ndarray, real_logits, fake_logits, subsets: int) -> dict:
  n = min(len(real), len(fake))
  return synthesis_metrics(
    real,
    fake,
    real_logits=real_logits,
    fake_logits=fake_logits,
    kid_subsets=subsets,
    kid_subset_size=min(metric_kid.KID_SUBSET_SIZE, n),
    k=min(metric_pr.K, n - 1),
  )


def _real_images(config: ml_collections.ConfigDict) -> tuple[np.ndarray, np.ndarray]:
  num = test_count(config, config.eval.num_images)
  return data.image_arrays(config.data, "test", num)


def _real_floor(
  config: ml_collections.ConfigDict, net, real: np.ndarray, real_f: np.ndarray, real_logits
) -> dict:
  """The same metrics between the held-out images and as many training images (two disjoint real
  sets, the training set's first images when it is the smaller): what a G that samples the data
  distribution itself would score."""
  num = min(len(real), data.image_count(config.data, "train"))
  other, _ = data.image_arrays(config.data, "train", num)
  other_f, other_logits = net(other)
  scores = _metrics(real_f, other_f, real_logits, other_logits, metric_kid.KID_SUBSETS)
  return {"num_images": int(min(len(real), len(other))), **scores}


def _mode_ids(generator: keras.Model, spec: LatentSpec, seed: int, count: int, judge) -> np.ndarray:
  """The judged mode of `count` images of `generator`, made and judged in chunks."""
  z = sample_latents(seed, count, spec.z_dim, spec.distribution, None)
  chunks = (_run(generator, z[i : i + _MODE_CHUNK], None) for i in range(0, count, _MODE_CHUNK))
  return np.concatenate([shape_judge.classify_modes(judge, images) for images in chunks])


def _mode_coverage(
  config: ml_collections.ConfigDict, generator: keras.Model, spec: LatentSpec, judge
) -> dict:
  """Modes covered (of 1000) and KL(modes || uniform) of eval.mode_samples images of the shipped
  G and of as many held-out real renders."""
  count = int(config.eval.get("mode_samples", MODE_SAMPLES))
  cfg = data.resolve_data_config(config.data)
  real, _ = stacked_shapes.stacked_shapes_arrays("test", cfg.crop_size, count, cfg.procedural_seed)
  real_ids = np.concatenate(
    [
      shape_judge.classify_modes(judge, to_float(real[i : i + _MODE_CHUNK]))
      for i in range(0, count, _MODE_CHUNK)
    ]
  )
  fake_ids = _mode_ids(generator, spec, config.seed + EVAL_SEED, count, judge)
  return {
    "num_modes": stacked_shapes.NUM_MODES,
    "num_samples": count,
    "generated": discrete_mode_scores(fake_ids, stacked_shapes.NUM_MODES),
    "real": discrete_mode_scores(real_ids, stacked_shapes.NUM_MODES),
  }


def _extractor_path(config: ml_collections.ConfigDict, extractor: str | None) -> str:
  path = config.eval.get("extractor", "") if extractor is None else extractor
  return user_path(path) if path else ""


def _class_scores(
  config: ml_collections.ConfigDict,
  spec: LatentSpec,
  labels: np.ndarray,
  fake: np.ndarray,
  real_f: np.ndarray | None,
  fake_f: np.ndarray | None,
) -> dict:
  """Class-conditional scores of `fake` (image i asked for class labels[i]): intra-class FID and
  per-class precision / recall of the features (when given), the accuracy of the class judge
  config.eval.class_judge (when set) on the requested classes."""
  out: dict = {"num_classes": spec.num_classes}
  if real_f is not None:
    out["intra_fid"] = class_conditional.intra_class_fid(
      real_f, labels, fake_f, labels, spec.num_classes
    )
    out["per_class"] = class_conditional.per_class_precision_recall(
      real_f, labels, fake_f, labels, spec.num_classes
    )
  path = config.eval.get("class_judge", "")
  if path:
    judge = class_judge.load_class_judge(user_path(path), fake.shape[1])
    out["judge"] = class_conditional.judge_accuracy(
      class_judge.classify(judge, fake), labels, spec.num_classes
    )
  return out


def _style(model: GANModel) -> StyleGenerator | None:
  """The shipped G in its style-based parts (StyleGAN2), None for any other G."""
  G = _shipped(model)
  return style_parts(G) if is_style_based(G) else None


def _ppl(config: ml_collections.ConfigDict, style: StyleGenerator, net) -> dict:
  """Perceptual path length in W at the path end points (StyleGAN2 Sec. 3.2; official ppl2_wend)
  of config.eval.ppl_samples draws, distances in the extractor's features
  (evaluation/metrics/metric_ppl.py); the synthesis' noise images redrawn for each batch (both
  ends of a path share them), as the official PPLSampler, and restored afterwards."""
  num = int(config.eval.ppl_samples)
  noises = noise_variables(style)
  saved = [n.numpy() for n in noises]
  rng = np.random.default_rng(config.seed + EVAL_SEED)

  def synthesis(w: tf.Tensor) -> tf.Tensor:
    for noise in noises:
      noise.assign(rng.standard_normal(noise.shape).astype(np.float32))
    ws = tf.repeat(w[:, None], style.num_ws, axis=1)  # [N, num_ws, w_dim]
    return tf.cast(style.synthesis(ws, training=False), tf.float32)

  try:
    distances = metric_ppl.path_distances(
      lambda z: style.mapping(z, training=False),
      synthesis,
      lambda images: net(np.asarray(images))[0],
      style.z_dim,
      num,
      config.seed + EVAL_SEED,
    )
  finally:
    for noise, value in zip(noises, saved, strict=True):
      noise.assign(value)
  return {
    "ppl": metric_ppl.perceptual_path_length(distances),
    "num_samples": num,
    "epsilon": metric_ppl.PPL_EPSILON,
    "space": "w",
    "sampling": "end",
  }


def _truncation_curve(
  config: ml_collections.ConfigDict,
  model: GANModel,
  net,
  real_f: np.ndarray,
  classes: np.ndarray | None,
) -> dict:
  """FID, KID, precision / recall of as many images as held-out reals at each of
  config.eval.truncation_psis: psi in W for a style-based G (StyleGAN App. B), else the z
  truncation T (BigGAN Sec. 3.1, Fig. 2); class-conditional with a class judge, also its accuracy
  on the requested classes."""
  spec, style, seed = latent_spec(model), _style(model), config.seed + EVAL_SEED
  judge_path = config.eval.get("class_judge", "")
  rows = []
  for psi in config.eval.truncation_psis:
    if style is not None:
      z = sample_latents(seed, len(real_f), spec.z_dim, spec.distribution).numpy()
      fake = style.images(style.ws(style.map(z), float(psi)))
    else:
      fake = generate_images(_shipped(model), spec, seed, len(real_f), float(psi), classes)
    fake_f, _ = net(fake)
    scores = _metrics(real_f, fake_f, None, None, metric_kid.KID_SUBSETS)
    row = {"psi": float(psi), "fid": scores["fid"], "kid": scores["kid"]["mean"]}
    row.update(precision=scores["precision"], recall=scores["recall"])
    if classes is not None and judge_path:
      judge = class_judge.load_class_judge(user_path(judge_path), fake.shape[1])
      row["class_accuracy"] = class_conditional.judge_accuracy(
        class_judge.classify(judge, fake), classes, spec.num_classes
      )["accuracy"]
    rows.append(row)
  return {"space": "w (psi)" if style is not None else "z (truncation T)", "rows": rows}


def evaluate(
  config: ml_collections.ConfigDict, model: GANModel, extractor: str | None = None
) -> dict:
  """FID, KID, precision / recall (and IS with an extractor of logits) between the first
  config.eval.num_images held-out real images and as many images of the shipped G (latents of
  seed config.seed + EVAL_SEED, no truncation; class-conditional: the real images' classes);
  on stacked shapes with a shape judge also mode coverage (modes of 1000, KL to uniform) of the
  generated and the real images; class-conditional, also intra-class FID, per-class precision /
  recall and the class judge's accuracy (`_class_scores`); a style-based G's perceptual path length
  (config.eval.ppl_samples) and the truncation curve (config.eval.truncation_psis); a model with
  `extra_scores(real images, labels) -> dict` adds it as "model_scores" (Triple-GAN: its
  classifier's held-out accuracy). `extractor`
  None = config.eval.extractor;
  "" = no feature scores (the result says why)."""
  if _is_points(config):
    return evaluate_points(config, model)
  spec = latent_spec(model)
  real, labels = _real_images(config)
  result = {
    "num_images": int(len(real)),
    "num_images_requested": config.eval.num_images,
    "generator": "EMA copy" if GENERATOR in model.ema_copies else "G",
    "latents": spec.to_json(),
  }
  model_scores = getattr(model, "extra_scores", None)
  if model_scores is not None:  # a family's own scores on the held-out set (Triple-GAN's C)
    result["model_scores"] = model_scores(real, labels)
  path = _extractor_path(config, extractor)
  classes = labels if spec.num_classes and (labels >= 0).all() else None
  if not path:
    result["extractor"] = None
    result["reason"] = (
      "off: config.eval.extractor is empty (a shape judge, classifier or Inception file)"
    )
    if classes is not None and config.eval.get("class_judge", ""):
      fake = generate_images(
        _shipped(model), spec, config.seed + EVAL_SEED, len(real), classes=classes
      )
      result["class_conditional"] = _class_scores(config, spec, labels, fake, None, None)
    return result
  net, info, judge = load_extractor(config, path)
  fake = generate_images(_shipped(model), spec, config.seed + EVAL_SEED, len(real), classes=classes)
  real_f, real_logits = net(real)
  fake_f, fake_logits = net(fake)
  result.update(info)
  result.update(_metrics(real_f, fake_f, real_logits, fake_logits, metric_kid.KID_SUBSETS))
  result["floor"] = _real_floor(config, net, real, real_f, real_logits)
  if classes is not None:
    result["class_conditional"] = _class_scores(config, spec, labels, fake, real_f, fake_f)
  if judge is not None and data.resolve_data_config(config.data).source == "stacked_shapes":
    result["mode_coverage"] = _mode_coverage(config, _shipped(model), spec, judge)
  style = _style(model)
  if style is not None and config.eval.get("ppl_samples", 0):
    result["ppl"] = _ppl(config, style, net)
  if config.eval.get("truncation_psis", ()):
    result["truncation_curve"] = _truncation_curve(config, model, net, real_f, classes)
  return result


def format_eval(result: dict) -> str:
  """A readable table of `evaluate`'s result."""
  if "mixture" in result:
    g, r, m = result["generated"], result["real"], result["mixture"]
    return (
      f"{m['name']} on {result['num_images']} points (shipped G: {result['generator']}): modes "
      f"covered {g['modes']} of {m['num_modes']} (real {r['modes']}), high-quality fraction "
      f"{g['high_quality']:.3f} (real {r['high_quality']:.3f})"
    )
  head = (
    f"synthesis eval on {result['num_images']} held-out images (shipped G: {result['generator']})"
  )
  classes = _format_classes(result.get("class_conditional")) + _format_model_scores(
    result.get("model_scores")
  )
  if not result.get("extractor"):
    return "\n".join([f"{head}: {result['reason']}", *classes])
  kid = result["kid"]
  lines = [
    head,
    f"extractor: {result['extractor']} ({result['note']})",
    f"FID {result['fid']:.3f}  KID {kid['mean']:.5f} +- {kid['std']:.5f}  "
    f"precision {result['precision']:.3f}  recall {result['recall']:.3f}",
  ]
  if "is" in result:
    lines.append(f"IS {result['is']['mean']:.3f} +- {result['is']['std']:.3f}")
  floor = result["floor"]
  lines.append(
    f"floor (held-out vs {floor['num_images']} training images): FID {floor['fid']:.3f}  "
    f"KID {floor['kid']['mean']:.5f}  precision {floor['precision']:.3f}  "
    f"recall {floor['recall']:.3f}"
  )
  lines.extend(classes)
  if "ppl" in result:
    ppl = result["ppl"]
    lines.append(f"PPL (W, end points, {ppl['num_samples']} paths) {ppl['ppl']:.3f}")
  curve = result.get("truncation_curve")
  for row in curve["rows"] if curve else ():
    accuracy = f"  class accuracy {row['class_accuracy']:.3f}" if "class_accuracy" in row else ""
    lines.append(
      f"truncation {curve['space']} {row['psi']:g}: FID {row['fid']:.3f}  precision "
      f"{row['precision']:.3f}  recall {row['recall']:.3f}{accuracy}"
    )
  modes = result.get("mode_coverage")
  if modes:
    g, r = modes["generated"], modes["real"]
    lines.append(
      f"modes covered (of {modes['num_modes']}, {modes['num_samples']} samples): generated "
      f"{g['modes']} (KL {g['kl']:.3f}), real {r['modes']} (KL {r['kl']:.3f})"
    )
  return "\n".join(lines)


def _format_model_scores(scores: dict | None) -> list[str]:
  """One line per entry of a model's own scores ({name: {key: value}})."""
  lines = []
  for name, values in (scores or {}).items():
    parts = [f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()]
    lines.append(f"{name}: {', '.join(parts)}")
  return lines


def _format_classes(scores: dict | None) -> list[str]:
  """Lines of the class-conditional scores (none for an unconditional result)."""
  if not scores:
    return []
  lines = []
  intra = scores.get("intra_fid")
  if intra and intra["mean"] is not None:
    lines.append(
      f"intra-class FID {intra['mean']:.3f} (mean over {intra['classes_scored']} of "
      f"{scores['num_classes']} classes)"
    )
  if "judge" in scores:
    lines.append(f"class judge accuracy on generated images {scores['judge']['accuracy']:.3f}")
  return lines


def fid_tracker(config: ml_collections.ConfigDict, model: GANModel, path: str):
  """A function () -> {"fid", "kid"} of the shipped G now against the held-out images (their
  features computed once), for training.callbacks.ScoreEvery."""
  net, _, _ = load_extractor(config, path)
  real, labels = _real_images(config)
  real_f, _ = net(real)
  spec = latent_spec(model)
  classes = labels if spec.num_classes and (labels >= 0).all() else None
  subsets = int(config.eval.get("kid_subsets", metric_kid.KID_SUBSETS))

  def score() -> dict[str, float]:
    fake = generate_images(
      _shipped(model), spec, config.seed + EVAL_SEED, len(real), classes=classes
    )
    fake_f, _ = net(fake)
    scores = _metrics(real_f, fake_f, None, None, subsets)
    return {"fid": scores["fid"], "kid": scores["kid"]["mean"]}

  return score


def serving_generator(model: GANModel) -> keras.Model:
  """The shipped G as exported: unconditional, G itself (input "latents" [N, z_dim]);
  class-conditional, G with named inputs "latents" [N, z_dim] and "class_ids" float32 [N, 1]
  (the class id; export.inputs takes float inputs)."""
  G = _shipped(model)
  spec = latent_spec(model)
  if not spec.num_classes:
    return G
  z = keras.Input((spec.z_dim,), name=LATENT_KEY)
  ids = keras.Input((1,), name=CLASS_KEY)
  out = G([z, keras.ops.cast(keras.ops.round(ids[:, 0]), "int32")])
  return keras.Model([z, ids], out, name=f"{G.name}_serving")


@register_task("synthesis")
class SynthesisTask(Task):
  """Noise -> image: `evaluate` (FID / KID / precision / recall, mode coverage), samples.png of a
  fixed latent grid, FID tracked during training with the best checkpoint kept, export of G
  checked on fixed latents."""

  inputs = (LATENT_KEY,)
  judges = ("extractor",)

  def score(
    self, config: ml_collections.ConfigDict, model: GANModel, extractor: str | None = None
  ) -> dict:
    return evaluate(config, model, extractor)

  def format(self, result: dict) -> str:
    return format_eval(result)

  def write_samples(
    self, config: ml_collections.ConfigDict, model: GANModel, workdir: str
  ) -> dict[str, str]:
    return {"samples": sample_sheet(config, model, workdir)}

  def export_generators(self, model: GANModel) -> dict[str, keras.Model]:
    return {GENERATOR: serving_generator(model)}

  def export_check_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int
  ) -> Inputs:
    """`num` latents of seed config.seed + CHECK_SEED (class-conditional: classes in turn)."""
    spec = latent_spec(model)
    z = sample_latents(config.seed + CHECK_SEED, num, spec.z_dim, spec.distribution).numpy()
    if not spec.num_classes:
      return {LATENT_KEY: z}
    ids = class_ids(num, spec.num_classes).numpy().astype(np.float32)[:, None]  # [num, 1]
    return {LATENT_KEY: z, CLASS_KEY: ids}

  def calibration_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int, seed: int
  ) -> np.ndarray | None:
    """`num` latents of seed config.seed + seed + CALIBRATION_SEED: int8 calibration of an
    unconditional G (ValueError for a class-conditional one: two inputs)."""
    spec = latent_spec(model)
    if spec.num_classes:
      raise ValueError(
        "int8 calibration of a class-conditional G (latents + class ids) is not supported"
      )
    offset = config.seed + seed + CALIBRATION_SEED
    return sample_latents(offset, num, spec.z_dim, spec.distribution).numpy()

  def export_contract(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str
  ) -> dict | None:
    return latent_spec(model).contract()

  def training_callbacks(
    self, config: ml_collections.ConfigDict, model: GANModel, workdir: str
  ) -> list:
    """FID / KID every config.eval.every_kimg thousand training images into TensorBoard
    (eval/fid, eval/kid), the checkpoint of the lowest FID kept in WORKDIR/best_fid/; none when
    every_kimg is 0 or config.eval.extractor is empty."""
    every_kimg = float(config.eval.get("every_kimg", 0) or 0)
    path = _extractor_path(config, None)
    if every_kimg <= 0 or not path or _is_points(config):
      return []
    every_steps = max(1, round(every_kimg * 1000 / config.batch_size))
    return [
      cb.ScoreEvery(
        fid_tracker(config, model, path),
        every_steps,
        os.path.join(workdir, "tensorboard"),
        os.path.join(workdir, BEST_DIR),
        key="fid",
      )
    ]

  def check_feeds(self, command: str, given: tuple[str, ...]) -> None:
    """Refuses any command that feeds images: a synthesis G makes images from noise."""
    if LATENT_KEY not in given:
      raise ValueError(
        f"{command}: this is a synthesis model (noise -> image, task 'synthesis'): it takes "
        f"latent vectors, not {', '.join(map(repr, given))}; make images with `python -m "
        "bin.generate --model=RUN --num=N --seed=S --output=DIR` (or the SavedModel's "
        "'generate' signature, docs/serving.md)"
      )
