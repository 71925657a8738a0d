"""The float32 parity gate (export.parity.FloatGate) is right for deep nets: a correct export of
a 256 px ResNet-9 passes, a broken conversion of a tiny net fails."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tensorflow.lite.tools import flatbuffer_utils

import export.versioned
from configs import pretrained
from export import ParityError, export_version
from export.parity import FLOAT32_ERROR_RATIO
from export.quantization import converter_fn
from export.reference import float64_model
from export.workdir_export import export_workdir
from tests.export.tiny_models import random_images, tiny_generator
from tfgan_repro import convert
from tfgan_repro.torch_reference import networks as official_torch

SIZE = 16
BIAS_SHIFT = 1e-3  # added to one float32 bias of the converted flatbuffer


def _perturbed(flatbuffer: bytes) -> bytes:
  """`flatbuffer` with BIAS_SHIFT added to the first element of its first 1-D float32 constant
  of 3 values (the last conv's bias: one output channel shifted everywhere)."""
  model = flatbuffer_utils.convert_bytearray_to_object(bytearray(flatbuffer))
  graph = model.subgraphs[0]
  for tensor in graph.tensors:
    data = model.buffers[tensor.buffer].data
    if data is not None and list(tensor.shape) == [3] and tensor.type == 0:  # FLOAT32
      values = np.frombuffer(bytes(bytearray(data)), np.float32).copy()
      values[0] += BIAS_SHIFT
      model.buffers[tensor.buffer].data = np.frombuffer(values.tobytes(), np.uint8)
      return bytes(flatbuffer_utils.convert_object_to_bytearray(model))
  raise AssertionError("no float32 bias of 3 values in the flatbuffer")


def test_broken_tflite_conversion_fails_the_gate(tmp_path, monkeypatch):
  model = tiny_generator(seed=0)
  x = random_images((2, SIZE, SIZE, 3))

  def broken(quantization, int8):
    return lambda converter: _perturbed(converter_fn(quantization, int8)(converter))

  monkeypatch.setattr(export.versioned, "converter_fn", broken)
  with pytest.raises(ParityError, match=r"G TFLite float32 .*float64 reference"):
    export_version({"G": model}, str(tmp_path), {"G": x}, tflite_size=SIZE)
  assert not (tmp_path / "G" / "1").exists()
  monkeypatch.undo()
  rows = export_version({"G": model}, str(tmp_path), {"G": x}, tflite_size=SIZE)
  lite = rows[1]
  assert lite.artifact == "tflite_float32" and lite.float64_max_abs < BIAS_SHIFT / 10


def test_float64_rebuild_computes_in_float64():
  model = tiny_generator(seed=0)
  rebuilt = float64_model(model)
  assert rebuilt is not None
  assert {str(v.dtype) for v in rebuilt.weights} == {"float64"}
  x = random_images((1, SIZE, SIZE, 3)).astype(np.float64)
  out = rebuilt(x, training=False).numpy()
  assert out.dtype == np.float64
  assert np.abs(out - model(x.astype(np.float32)).numpy()).max() < 1e-5


def test_resnet_9_256px_random_weights_float32_export_passes(tmp_path, capsys):
  """Slow (about a minute): one ResNet-9 (ngf 64) build, its SavedModel and TFLite float32 at
  256 px. Official init scale: weights N(0, 0.02), biases N(0, 0.1)."""
  torch.manual_seed(0)
  net = official_torch.ResnetGenerator(
    3, 3, 64, official_torch.get_norm_layer("instance"), use_dropout=False, n_blocks=9
  )
  with torch.no_grad():
    for name, p in net.named_parameters():
      p.normal_(0, 0.02) if name.endswith("weight") else p.normal_(0, 0.1)
  checkpoint = str(tmp_path / "latest_net_G.pth")
  torch.save(net.state_dict(), checkpoint)
  workdir = str(tmp_path / "run")
  convert.import_torch_checkpoint(checkpoint, pretrained.get_config("resnet_9"), workdir)
  rows = export_workdir(workdir, quantizations=("none",), translate_bytes=False)
  assert [r.artifact for r in rows] == ["saved_model", "tflite_float32"]
  with capsys.disabled():
    for r in rows:
      print(
        f"\n{r.artifact}: vs Keras max {r.max_abs:.3g} mean {r.mean_abs:.3g}; vs float64 "
        f"{r.float64_max_abs:.3g}; Keras float32 vs float64 {r.keras_float64_max_abs:.3g}"
      )
  for r in rows:
    assert r.float64_max_abs <= FLOAT32_ERROR_RATIO * r.keras_float64_max_abs
  assert rows[1].max_abs > 1e-5  # float32 reordering is visible at this depth and size
