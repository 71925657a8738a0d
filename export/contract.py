"""A generator's input contract, stored with its export: what each named input holds.

The contract is a dict by serving key (export.inputs), e.g.

  {"images": {"kind": "image", "channels": 3}}                                    CycleGAN
  {"images": {"kind": "onehot_labels", "channels": 8, "num_classes": 8}}          pix2pix, city
  {"images": {"kind": "image", "channels": 3},
   "attributes": {"kind": "vector", "size": 4, "names": ["glasses", ...]}}        attribute editors

Kinds of "images": "image" (colour, 3 channels, or grayscale, 1: any photo), "color_labels"
(label maps drawn in their palette colours, num_classes), "onehot_labels" (one channel per class:
a file holds the class ids, 1 channel), "onehot_instance_labels" (+ an instance-id channel), or
"channels" (C channels of unknown meaning: an export without a data config). Other inputs:
"vector" (size, names where known) or "map" (shape).

Where it is stored: the SavedModel's `assets/input_contract.json` (CONTRACT_FILE; the version
folder's own listing stays TF Serving's), and the "input_contract" field of each TFLite file's
metadata JSON (export.versioned). `translate` reads it and refuses files that do not fit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import keras

from export.inputs import INPUT_KEY, input_shapes
from tfgan_repro.data import pipeline
from tfgan_repro.data.config import resolve_data_config

CONTRACT_KEY = "input_contract"  # its field in the TFLite metadata JSON
CONTRACT_FILE = os.path.join("assets", "input_contract.json")  # inside a SavedModel folder
IMAGE_KINDS = ("image", "color_labels", "onehot_labels", "onehot_instance_labels", "channels")

Contract = dict[str, dict[str, Any]]


def input_contract(
  model: keras.Model,
  data_config: Mapping[str, Any] | None = None,
  domain: str = "A",
) -> Contract:
  """The contract of `model`'s inputs; `data_config` (a config's data block) and the input
  `domain` ("A" | "B") say what its image input holds (else it is known by its channels only)."""
  contract = {}
  for key, shape in input_shapes(model).items():
    if key == INPUT_KEY:
      contract[key] = _image_entry(int(shape[-1]), data_config, domain)
    elif len(shape) == 2:
      contract[key] = {"kind": "vector", "size": int(shape[-1])}
    else:
      contract[key] = {"kind": "map", "shape": [d for d in shape[1:]]}
  names = _attribute_names(data_config)
  if names and contract.get("attributes", {}).get("size") == len(names):
    contract["attributes"]["names"] = names
  return contract


def _image_entry(channels: int, data_config: Mapping[str, Any] | None, domain: str) -> dict:
  if data_config is None:
    return {"kind": "image" if channels in (1, 3) else "channels", "channels": channels}
  cfg = resolve_data_config(data_config)
  labels = pipeline.label_classes(cfg, domain)
  if labels is None:
    return {"kind": "image", "channels": channels}
  kind = {
    "onehot": "onehot_labels",
    "color": "color_labels",
    "onehot_instance": "onehot_instance_labels",
  }[cfg.label_format]
  return {"kind": kind, "channels": channels, "num_classes": labels}


def _attribute_names(data_config: Mapping[str, Any] | None) -> list[str]:
  if data_config is None:
    return []
  names = resolve_data_config(data_config).attributes
  return [n.strip() for n in names.split(",") if n.strip()]


def describe(contract: Mapping[str, Mapping[str, Any]]) -> str:
  """The contract in words, e.g. "images: one-hot label maps of 8 classes (8 channels; give a
  1-channel PNG of class ids 0..7)"."""
  return "; ".join(f"{key}: {_describe_entry(entry)}" for key, entry in contract.items())


def _describe_entry(entry: Mapping[str, Any]) -> str:
  kind, channels = entry.get("kind"), entry.get("channels")
  num = entry.get("num_classes")
  if kind == "image":
    return f"colour images ({channels} channel{'s' if channels != 1 else ''})"
  if kind == "onehot_labels":
    return (
      f"one-hot label maps of {num} classes ({channels} channels; give a 1-channel PNG of class "
      f"ids 0..{num - 1})"
    )
  if kind == "onehot_instance_labels":
    return f"one-hot label maps of {num} classes with instance ids ({channels} channels)"
  if kind == "color_labels":
    return f"label maps of {num} classes in their palette colours (3 channels)"
  if kind == "latents":
    return (
      f"latent vectors z of {entry.get('size')} values ({entry.get('distribution')}): a noise -> "
      "image generator; make images with `python -m bin.generate --model=... --num=N --seed=S`"
    )
  if kind == "class_ids":
    return f"class ids in [0, {num})"
  if kind == "vector":
    names = entry.get("names")
    return f"a vector of {entry.get('size')} values" + (f" ({', '.join(names)})" if names else "")
  if kind == "map":
    return f"a map of shape {entry.get('shape')}"
  return f"{channels}-channel arrays of unrecorded meaning"


def write_contract(saved_model: str, contract: Contract) -> str:
  """Writes `contract` into the SavedModel folder `saved_model` (CONTRACT_FILE); returns its
  path."""
  path = os.path.join(saved_model, CONTRACT_FILE)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    json.dump(contract, f, indent=2, sort_keys=True)
  return path


def read_contract(model_path: str) -> Contract | None:
  """The contract stored with a SavedModel folder or a .tflite file (its metadata JSON), None
  when none is recorded."""
  if os.path.isdir(model_path):
    path = os.path.join(model_path, CONTRACT_FILE)
    if not os.path.isfile(path):
      return None
    with open(path, encoding="utf-8") as f:
      return json.load(f)
  metadata = os.path.splitext(model_path)[0] + ".json"
  if not os.path.isfile(metadata):
    return None
  with open(metadata, encoding="utf-8") as f:
    return json.load(f).get(CONTRACT_KEY)
