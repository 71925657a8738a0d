"""SavedModel signatures of a noise -> image generator (the synthesis task), for TF Serving.

  "serving_default" (export.saved_model): {"latents": float32 [N, z_dim]} (class-conditional:
    + {"class_ids": float32 [N, 1]}, the class id as a float) -> {"outputs": float32
    [N, S, S, C] in [-1, 1]};
  "generate": {"seed": int64 [], "count": int32 [], "truncation": float32 [] (<= 0: off)}
    (class-conditional: + {"class_ids": int32 [K]}, sample i of class class_ids[i % K]) ->
    {"png_bytes": string [count]}: the latents of tfgan_repro.data.latents.sample_latents(seed,
    count, ...), the same as bin.generate draws for that seed, through the generator, each image
    encoded as an 8-bit PNG of round((y + 1) * 127.5) clipped to [0, 255];
  "sample_latents": {"seed", "count", "truncation"} -> {"latents": float32 [count, z_dim]}: the
    latents alone (what bin.generate feeds a SavedModel's serving_default).

`count` must lie in [0, MAX_COUNT]: a bigger one fails an assertion (InvalidArgument, HTTP 400),
so a request cannot ask for unbounded memory. The latent spec (z_dim, distribution, classes)
is the input contract's "latents" entry (export.contract), written into the SavedModel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import keras
import tensorflow as tf

from export.inputs import LATENT_KEY
from tfgan_repro.data.latents import CLASS_KEY, LatentSpec, class_ids, sample_latents

GENERATE_SIGNATURE_KEY = "generate"
LATENTS_SIGNATURE_KEY = "sample_latents"
PNG_OUTPUT_KEY = "png_bytes"  # ends in "_bytes": TF Serving REST answers {"b64": ...}
MAX_COUNT = 1024  # images one `generate` request may ask for (this module's choice)


def latent_contract(spec: LatentSpec) -> dict[str, dict[str, Any]]:
  """The input contract (export.contract) of a synthesis generator of latent spec `spec`."""
  return spec.contract()


def spec_of(contract: Mapping[str, Mapping[str, Any]] | None) -> LatentSpec | None:
  """The LatentSpec recorded in a contract, None for a generator of other inputs."""
  return LatentSpec.from_contract(contract)


def _check_count(count: tf.Tensor) -> tf.Operation:
  return tf.debugging.Assert(
    tf.logical_and(count >= 0, count <= MAX_COUNT),
    [f"{GENERATE_SIGNATURE_KEY}: count must be in [0, {MAX_COUNT}], got", count],
    name="check_count",
  )


def _latents(spec: LatentSpec, seed: tf.Tensor, count: tf.Tensor, truncation: tf.Tensor):
  with tf.control_dependencies([_check_count(count)]):
    count = tf.identity(count)
  return sample_latents(seed, count, spec.z_dim, spec.distribution, truncation)


def generator_outputs(
  model: keras.Model, spec: LatentSpec, z: tf.Tensor, ids: tf.Tensor | None
) -> tf.Tensor:
  """float32 [N, S, S, C]: the exported generator on latents z (and int32 class ids [N])."""
  x = z if not spec.num_classes else [z, tf.cast(ids, tf.float32)[:, None]]  # ids [N] -> [N, 1]
  return tf.cast(model(x, training=False), tf.float32)


def encode_pngs(images: tf.Tensor) -> tf.Tensor:
  """string [N]: PNGs of float images [N, S, S, C] in [-1, 1] (round((y + 1) * 127.5))."""
  pixels = tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)
  return tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.TensorSpec([], tf.string))


def generate_fn(model: keras.Model, spec: LatentSpec) -> Callable[..., dict[str, tf.Tensor]]:
  """The `generate` function (module docstring) for ExportArchive.add_endpoint."""

  def generate(seed, count, truncation, classes=None):
    z = _latents(spec, seed, count, truncation)  # [count, z_dim]
    ids = None if classes is None else class_ids(count, spec.num_classes, classes)
    if ids is not None:
      bad = tf.logical_or(classes < 0, classes >= spec.num_classes)
      check = tf.debugging.Assert(
        tf.logical_and(tf.size(classes) > 0, tf.logical_not(tf.reduce_any(bad))),
        [f"{GENERATE_SIGNATURE_KEY}: class_ids must be non-empty ids in [0, {spec.num_classes})"],
        name="check_class_ids",
      )
      with tf.control_dependencies([check]):
        ids = tf.identity(ids)
    return {PNG_OUTPUT_KEY: encode_pngs(generator_outputs(model, spec, z, ids))}

  if spec.num_classes:
    return lambda seed, count, truncation, class_ids: generate(seed, count, truncation, class_ids)
  return lambda seed, count, truncation: generate(seed, count, truncation)


def _scalars() -> list[tf.TensorSpec]:
  return [
    tf.TensorSpec([], tf.int64, name="seed"),
    tf.TensorSpec([], tf.int32, name="count"),
    tf.TensorSpec([], tf.float32, name="truncation"),
  ]


def add_synthesis_endpoints(
  archive: keras.export.ExportArchive, model: keras.Model, spec: LatentSpec
) -> None:
  """Adds the "generate" (for image outputs [N, S, S, C]; a 2-D mixture's point G has none) and
  "sample_latents" signatures of `model` (served as its serving_default takes it: module
  docstring) to `archive`."""
  if len(model.outputs[0].shape) == 4:
    generate_specs = _scalars()
    if spec.num_classes:
      generate_specs.append(tf.TensorSpec([None], tf.int32, name=CLASS_KEY))
    archive.add_endpoint(
      name=GENERATE_SIGNATURE_KEY, fn=generate_fn(model, spec), input_signature=generate_specs
    )
  archive.add_endpoint(
    name=LATENTS_SIGNATURE_KEY,
    fn=lambda seed, count, truncation: {LATENT_KEY: _latents(spec, seed, count, truncation)},
    input_signature=_scalars(),
  )
