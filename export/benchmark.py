"""Inference speed of a generator in every shipped form, each with its difference against Keras.

Variants (batch 1, one image of size x size): Keras eager (`model(x, training=False)`), Keras
`tf.function`, Keras `tf.function(jit_compile=True)` (XLA), the SavedModel's serving_default, and
TFLite float32 / float16 / dynamic / int8 / int8_float_norm in the LiteRT interpreter (XNNPACK,
2 threads; export.quantization). Latency is the median of `steps` timed calls after `warmup`
untimed ones; the difference is max |variant - Keras eager| and PSNR over `num_check` images.

Images: smooth random images (bicubic-upsampled uniform noise in [-1, 1]), for the check and for
int8 calibration alike: the weights are random too (no trained run needed), so the numbers
measure the runtimes, not a dataset.

Not part of //export:lib (it imports tfgan_repro.nets, which depends on that library): Bazel
target //export:run_lib, used by the `bench` binary.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from export.inputs import INPUT_KEY
from export.parity import keras_outputs, parity_stats
from export.quantization import (
  CALIBRATED,
  MIN_CALIBRATION_IMAGES,
  QUANTIZATIONS,
  Int8Calibration,
  converter_fn,
  normalization_layers,
  resolve_quantization,
)
from export.saved_model import export_saved_model, load_serving, serving_outputs
from export.staging import path_bytes
from export.tflite import NUM_THREADS, LiteRTModel, export_tflite
from tfgan_repro import nets
from tfgan_repro.evaluation.metrics import image_quality
from tfgan_repro.util import timing

NOISE_CELL = 8  # smooth images: one random value per 8x8 pixels, bicubic in between


@dataclasses.dataclass(frozen=True)
class BenchRow:
  """One variant: median ms per image (batch 1), images/s, and its difference against Keras eager
  (max |diff| and PSNR in dB; +inf when identical). bytes: artifact size (0 for Keras)."""

  variant: str
  latency_ms: float
  images_per_s: float
  max_abs: float
  psnr_db: float
  bytes: int


def smooth_images(num: int, size: int, channels: int, seed: int) -> np.ndarray:
  """float32 [num, size, size, channels] in [-1, 1]: bicubic-upsampled uniform noise."""
  rng = np.random.default_rng(seed)
  cells = max(1, size // NOISE_CELL)
  noise = rng.uniform(-1, 1, (num, cells, cells, channels)).astype(np.float32)
  return np.clip(tf.image.resize(noise, (size, size), method="bicubic").numpy(), -1.0, 1.0)


def _row(
  variant: str, latency: float, expected: np.ndarray, actual: np.ndarray, size: int = 0
) -> BenchRow:
  return BenchRow(
    variant,
    latency,
    1000.0 / latency,
    parity_stats(expected, actual)["max_abs"],
    image_quality.psnr(expected, actual, reduction="batch_mse"),
    size,
  )


def benchmark_generator(
  network: str = "resnet_9",
  *,
  size: int = 256,
  steps: int = 10,
  warmup: int = 2,
  num_check: int = 2,
  num_calibration: int = MIN_CALIBRATION_IMAGES,
  quantizations: tuple[str, ...] = QUANTIZATIONS,
  network_kwargs: dict | None = None,
  seed: int = 0,
) -> list[BenchRow]:
  """Builds `network` (tfgan_repro.nets, random weights, seeded) and times every variant at
  size x size, batch 1. Returns one BenchRow per variant: keras_eager, keras_function,
  keras_xla, saved_model, then tflite_<q> for q in `quantizations`."""
  for name, value in (("size", size), ("steps", steps), ("num_check", num_check)):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
      raise ValueError(f"{name} must be a positive int, got {value!r}")
  if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
    raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")
  quantizations = tuple(resolve_quantization(q) for q in quantizations)
  keras.utils.set_random_seed(seed)
  model = nets.build(network, **(network_kwargs or {}))
  channels = model.inputs[0].shape[-1]
  images = smooth_images(num_check, size, channels, seed)  # [num_check, size, size, C]
  one = tf.constant(images[:1])  # [1, size, size, C]
  expected = keras_outputs(model, images)
  eager_ms = timing.median_ms(lambda: model(one, training=False), steps, warmup)
  rows = [_row("keras_eager", eager_ms, expected, expected)]
  for variant, jit in (("keras_function", False), ("keras_xla", True)):
    fn = tf.function(lambda x: model(x, training=False), jit_compile=jit)
    actual = np.concatenate([fn(image[None]).numpy() for image in images])  # [N, s, s, C]
    rows.append(
      _row(variant, timing.median_ms(lambda fn=fn: fn(one), steps, warmup), expected, actual)
    )
  with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
    saved_model = export_saved_model(model, os.path.join(scratch, "saved_model"))
    loaded, serve, _ = load_serving(saved_model)
    actual = serving_outputs(serve, {INPUT_KEY: images})
    latency = timing.median_ms(lambda: serve(**{INPUT_KEY: one}), steps, warmup)
    rows.append(_row("saved_model", latency, expected, actual, path_bytes(saved_model)))
    del loaded
    int8 = None
    if any(q in CALIBRATED for q in quantizations):
      int8 = Int8Calibration(
        smooth_images(num_calibration, size, channels, seed + 1), normalization_layers(model)
      )
    for quantization in quantizations:
      path = export_tflite(
        saved_model,
        os.path.join(scratch, f"{quantization}.tflite"),
        input_size=size,
        convert=converter_fn(quantization, int8 if quantization in CALIBRATED else None),
      )
      lite = LiteRTModel(path, NUM_THREADS)
      actual = lite.outputs(images)  # [N, s, s, C]
      latency = timing.median_ms(lambda lite=lite: lite(images[:1]), steps, warmup)
      rows.append(_row(f"tflite_{quantization}", latency, expected, actual, os.path.getsize(path)))
  return rows


def format_bench(rows: list[BenchRow]) -> str:
  """A plain-text table, one line per variant."""
  header = ("variant", "ms/img", "img/s", "max_abs vs Keras", "PSNR dB", "MiB")
  lines = [
    (
      r.variant,
      f"{r.latency_ms:.1f}",
      f"{r.images_per_s:.2f}",
      f"{r.max_abs:.2e}",
      "inf" if r.psnr_db == math.inf else f"{r.psnr_db:.2f}",
      f"{r.bytes / 2**20:.2f}" if r.bytes else "-",
    )
    for r in rows
  ]
  widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
  return "\n".join(
    "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
    for line in [header, *lines]
  )
