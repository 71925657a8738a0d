"""The restricted unpickler: torch tensors rebuilt with numpy from plain pickles and both torch.save
layouts; pickles that call anything else refused before anything runs."""

from __future__ import annotations

import argparse
import builtins
import io
import os
import pickle
import sys
import types

import numpy as np
import pytest
import torch

from tfgan_repro.convert import safe_pickle


def _tensors() -> dict[str, torch.Tensor]:
  base = torch.arange(12, dtype=torch.float32).reshape(3, 4) - 5.5
  return {
    "float32": base,
    "view": base[:, 1::2],  # offset 1, strides (4, 2)
    "transposed": base.t(),
    "float16": base.half(),
    "bfloat16": base.bfloat16(),
    "int64": torch.arange(5),
    "bool": base > 0,
    "scalar": torch.tensor(2.5),
    "parameter": torch.nn.Parameter(base * 2),
  }


def _want(t: torch.Tensor) -> np.ndarray:
  t = t.detach()
  return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def _torch_save(obj, legacy: bool) -> bytes:
  buf = io.BytesIO()
  torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
  return buf.getvalue()


@pytest.mark.parametrize("how", ["pickle", "torch_save_zip", "torch_save_legacy"])
def test_tensors_are_rebuilt_with_their_values_and_dtypes(how):
  tensors = _tensors()
  if how == "pickle":
    got = safe_pickle._unpickle(io.BytesIO(pickle.dumps(tensors, protocol=4)))
  else:
    got = safe_pickle.load_torch_bytes(_torch_save(tensors, legacy=how.endswith("legacy")))
  assert set(got) == set(tensors)
  for name, tensor in tensors.items():
    want = _want(tensor)
    assert got[name].dtype == want.dtype, name
    assert got[name].shape == want.shape, name
    np.testing.assert_array_equal(got[name], want, err_msg=name)
  assert got["bfloat16"].dtype == np.float32 and got["bfloat16"][0, 0] == -5.5


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_numpy_arrays_scalars_and_bytes_are_rebuilt_and_object_arrays_refused(protocol):
  values = {
    "strided": np.arange(6.0).reshape(2, 3)[:, ::2],
    "float16_fortran": np.arange(4, dtype=np.float16).reshape(2, 2).T,
    "float32": np.float32(2.5),
    "int64": np.int64(-3),
    "bytes": b"xy",
  }
  got = safe_pickle._unpickle(io.BytesIO(pickle.dumps(values, protocol=protocol)))
  for name, value in values.items():
    assert type(got[name]) is type(value), name
    np.testing.assert_array_equal(got[name], value, err_msg=name)
  assert got["float16_fortran"].dtype == np.float16
  objects = pickle.dumps(np.array([{"x": 1}], dtype=object), protocol=protocol)
  with pytest.raises(safe_pickle.UnsafePickleError, match=r"numpy.dtype\('O8'\)"):
    safe_pickle._unpickle(io.BytesIO(objects))


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_objects_of_old_protocols_become_records(protocol):
  raw = pickle.dumps({"args": argparse.Namespace(size=32, latent=[1, 2])}, protocol=protocol)
  got = safe_pickle._unpickle(io.BytesIO(raw))
  assert safe_pickle.plain(got["args"]) == {"size": 32, "latent": [1, 2]}


def test_a_namespace_and_a_module_become_inert_records_with_their_state():
  net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
  net[1].register_buffer("scratch", torch.ones(1), persistent=False)
  seen: set = set()
  raw = _torch_save({"net": net, "args": argparse.Namespace(size=32, n_mlp=2)}, legacy=False)
  got = safe_pickle.load_torch_bytes(raw, seen)
  assert isinstance(got["args"], safe_pickle.PickledObject)
  assert safe_pickle.plain(got["args"]) == {"size": 32, "n_mlp": 2}
  state = safe_pickle.module_state_dict(got["net"])
  assert list(state) == list(net.state_dict())  # the non-persistent buffer left out
  np.testing.assert_array_equal(state["0.weight"], net[0].weight.detach().numpy())
  assert ("argparse", "Namespace") in seen
  assert ("torch.nn.modules.container", "Sequential") in seen


class _Call:
  """Pickles as a call of `fn(*args)` (what a malicious pickle does)."""

  def __init__(self, fn, *args):
    self.fn, self.args = fn, args

  def __reduce__(self):
    return self.fn, self.args


@pytest.mark.parametrize("attack", ["os_system", "builtins_eval", "builtins_exec", "in_torch_save"])
def test_a_pickle_that_runs_code_is_refused_and_nothing_runs(tmp_path, attack):
  marker = tmp_path / "ran"
  payload = f"open({str(marker)!r}, 'w').close()"
  calls = {
    "os_system": _Call(os.system, f"touch {marker}"),
    "builtins_eval": _Call(builtins.eval, payload),
    "builtins_exec": _Call(builtins.exec, payload),
    "in_torch_save": {"g_ema": {"w": torch.ones(2)}, "args": _Call(os.system, f"touch {marker}")},
  }
  path = tmp_path / "evil.pkl"
  if attack == "in_torch_save":
    path.write_bytes(_torch_save(calls[attack], legacy=False))
    load = safe_pickle.load_torch_file
  else:
    path.write_bytes(pickle.dumps({"G_ema": calls[attack]}))
    load = safe_pickle.load_network_pickle
  name = {"os_system": "system", "builtins_eval": "eval", "builtins_exec": "exec"}.get(attack)
  with pytest.raises(
    safe_pickle.UnsafePickleError, match=f"refused: the pickle calls .*{name or 'system'}"
  ):
    load(str(path))
  assert not marker.exists()


def _fake_persistence(monkeypatch) -> types.FunctionType:
  """A stand-in for official torch_utils.persistence._reconstruct_persistent_obj, importable
  under its official name while pickling (never called: the test fails if it is)."""

  def _reconstruct_persistent_obj(meta):
    raise AssertionError("the persistence reconstructor must never run")

  _reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
  _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
  module = types.ModuleType("torch_utils.persistence")
  module._reconstruct_persistent_obj = _reconstruct_persistent_obj
  monkeypatch.setitem(sys.modules, "torch_utils", types.ModuleType("torch_utils"))
  monkeypatch.setitem(sys.modules, "torch_utils.persistence", module)
  return _reconstruct_persistent_obj


class _Persistent:
  def __init__(self, reconstruct, source: str):
    self.reconstruct, self.source = reconstruct, source

  def __reduce__(self):
    state = {"_parameters": {"weight": torch.full((2,), 3.0)}, "_buffers": {}, "_modules": {}}
    meta = dict(type="class", version=4, module_src=self.source, class_name="Evil", state=state)
    return self.reconstruct, (meta,)


def test_a_persistence_record_keeps_its_state_and_its_source_never_runs(tmp_path, monkeypatch):
  marker = tmp_path / "ran"
  source = f"import os\nos.system('touch {marker}')\nopen({str(marker)!r}, 'w').close()\n"
  path = tmp_path / "network.pkl"
  path.write_bytes(pickle.dumps({"G_ema": _Persistent(_fake_persistence(monkeypatch), source)}))
  monkeypatch.delitem(sys.modules, "torch_utils.persistence")  # as on a machine without it
  got = safe_pickle.load_network_pickle(str(path))["G_ema"]
  assert isinstance(got, safe_pickle.PersistentObject)
  assert got.class_name == "Evil" and got.version == 4
  assert len(got.source_sha256) == 64
  np.testing.assert_array_equal(safe_pickle.module_state_dict(got)["weight"], [3.0, 3.0])
  assert not marker.exists()


def test_a_persistence_record_of_another_type_is_refused(tmp_path, monkeypatch):
  reconstruct = _fake_persistence(monkeypatch)
  path = tmp_path / "network.pkl"
  path.write_bytes(pickle.dumps(_Call(reconstruct, {"type": "object", "module_src": ""})))
  with pytest.raises(safe_pickle.UnsafePickleError, match="type 'class' expected"):
    safe_pickle.load_network_pickle(str(path))


def test_a_file_of_another_format_raises_value_error(tmp_path):
  path = tmp_path / "x.pt"
  path.write_bytes(b"not a pickle at all")
  with pytest.raises(ValueError, match="not a torch.save file|not a readable pickle"):
    safe_pickle.load_torch_file(str(path))
  with pytest.raises(ValueError, match="cannot read"):
    safe_pickle.load_network_pickle(str(tmp_path / "missing.pkl"))
