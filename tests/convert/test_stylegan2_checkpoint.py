"""Official StyleGAN2 generators (stylegan2-ada-pytorch network pickles, rosinality checkpoints)
-> the Keras generator: equal images, key checks, nothing of the files run, the workdir hook."""

from __future__ import annotations

import argparse
import pickle
import sys
import types

import numpy as np
import pytest
import torch

from configs import pretrained_stylegan2
from jobs import generate as generation
from tfgan_repro.convert import pretrained_run, safe_pickle
from tfgan_repro.convert import stylegan2_checkpoint as sg2
from tfgan_repro.data.latents import sample_latents
from tfgan_repro.nets.stylegan2 import stylegan2_generator
from tfgan_repro.torch_reference import stylegan2 as reference
from tfgan_repro.training.checkpointing import load_run

# A narrow 32 px generator: channels 16 up to 16 px, 8 at 32 px (channel_base 256, max 16).
Z_DIM = W_DIM = 16
SIZE, CHANNEL_BASE, CHANNEL_MAX, MAPPING_LAYERS = 32, 256, 16, 2
CHANNELS = {4: 16, 8: 16, 16: 16, 32: 8}
TOLERANCE = 1e-4  # max abs difference of the images, Keras vs the torch reference


class EasyDict(dict):
  """Pickles as official dnnlib.util.EasyDict (a dict subclass)."""


EasyDict.__module__ = "dnnlib.util"

_PERSISTENT = (
  reference.Generator,
  reference.MappingNetwork,
  reference.SynthesisNetwork,
  reference.SynthesisBlock,
  reference.SynthesisLayer,
  reference.ToRGBLayer,
  reference.FullyConnectedLayer,
)


def _fake_official_modules(monkeypatch):
  """torch_utils.persistence and dnnlib.util importable under their official names while
  pickling; the reconstructor fails the test if anything ever calls it."""

  def _reconstruct_persistent_obj(meta):
    raise AssertionError("the persistence reconstructor must never run")

  _reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
  _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
  persistence = types.ModuleType("torch_utils.persistence")
  persistence._reconstruct_persistent_obj = _reconstruct_persistent_obj
  util = types.ModuleType("dnnlib.util")
  util.EasyDict = EasyDict
  for name, module in (
    ("torch_utils", types.ModuleType("torch_utils")),
    ("torch_utils.persistence", persistence),
    ("dnnlib", types.ModuleType("dnnlib")),
    ("dnnlib.util", util),
  ):
    monkeypatch.setitem(sys.modules, name, module)
  return _reconstruct_persistent_obj


class _PersistencePickler(pickle.Pickler):
  """Pickles the reference modules as official torch_utils.persistence does (Decorator
  .__reduce__): a call of _reconstruct_persistent_obj(meta), meta holding the class name, the
  module source and the object's __dict__ (with _init_args / _init_kwargs)."""

  def __init__(self, file, reconstruct, source: str, init_kwargs: dict):
    super().__init__(file)
    self.reconstruct, self.source, self.init_kwargs = reconstruct, source, init_kwargs

  def reducer_override(self, obj):
    if type(obj) not in _PERSISTENT:
      return NotImplemented
    state = dict(obj.__dict__)
    state["_init_args"] = ()
    state["_init_kwargs"] = self.init_kwargs if isinstance(obj, reference.Generator) else {}
    if isinstance(obj, reference.SynthesisLayer):  # official: numpy float64 gains in the state
      state["act_gain"] = np.sqrt(np.float64(2.0))
    meta = dict(
      type="class",
      version=6,  # official torch_utils/persistence.py _version
      module_src=self.source,
      class_name=type(obj).__name__,
      state=state,
    )
    return self.reconstruct, (meta,)


def _ada_reference() -> reference.Generator:
  torch.manual_seed(0)
  net = reference.Generator(
    z_dim=Z_DIM,
    w_dim=W_DIM,
    img_resolution=SIZE,
    channel_base=CHANNEL_BASE,
    channel_max=CHANNEL_MAX,
    num_layers=MAPPING_LAYERS,
  )
  return reference.randomize_(net, seed=1).eval()


def _init_kwargs(**synthesis) -> dict:
  return dict(
    z_dim=Z_DIM,
    c_dim=0,
    w_dim=W_DIM,
    img_resolution=SIZE,
    img_channels=3,
    mapping_kwargs=EasyDict(num_layers=MAPPING_LAYERS),
    synthesis_kwargs=EasyDict(
      channel_base=CHANNEL_BASE,
      channel_max=CHANNEL_MAX,
      num_fp16_res=0,
      conv_clamp=None,
      **synthesis,
    ),
  )


def _write_ada_pickle(path, net, monkeypatch, marker, **synthesis) -> None:
  reconstruct = _fake_official_modules(monkeypatch)
  source = f"import os\nos.system('touch {marker}')\n"  # never run
  data = {
    "G": net,
    "D": None,
    "G_ema": net,
    "augment_pipe": None,
    "training_set_kwargs": EasyDict(resolution=SIZE, use_labels=False),
  }
  with open(path, "wb") as f:
    _PersistencePickler(f, reconstruct, source, _init_kwargs(**synthesis)).dump(data)
  for name in ("torch_utils", "torch_utils.persistence", "dnnlib", "dnnlib.util"):
    monkeypatch.delitem(sys.modules, name)  # reading happens without them, as on a clean host


@pytest.fixture(scope="module")
def ada(tmp_path_factory):
  """(reference net, path of its network pickle, the marker file its source would create)."""
  net = _ada_reference()
  folder = tmp_path_factory.mktemp("ada")
  path, marker = folder / "network-snapshot-000000.pkl", folder / "ran"
  with pytest.MonkeyPatch.context() as monkeypatch:
    _write_ada_pickle(path, net, monkeypatch, marker)
  return net, str(path), marker


@pytest.fixture(scope="module")
def rosinality(tmp_path_factory):
  """(reference net in the rosinality layout, path of a train.py-style checkpoint)."""
  torch.manual_seed(2)
  net = reference.RosinalityGenerator(
    size=SIZE, style_dim=W_DIM, n_mlp=MAPPING_LAYERS, channels=CHANNELS
  )
  net = reference.randomize_(net, seed=3).eval()
  path = tmp_path_factory.mktemp("rosinality") / "010000.pt"
  args = argparse.Namespace(size=SIZE, n_mlp=MAPPING_LAYERS, latent=W_DIM, channel_multiplier=2)
  state = net.state_dict()
  torch.save(
    {"g": state, "d": {}, "g_ema": state, "g_optim": {}, "d_optim": {}, "args": args}, path
  )
  return net, str(path)


def _z(seed: int = 5, n: int = 3) -> np.ndarray:
  return np.random.default_rng(seed).standard_normal((n, Z_DIM)).astype(np.float32)


def _nhwc(images: torch.Tensor) -> np.ndarray:
  return images.detach().numpy().transpose(0, 2, 3, 1)  # NCHW -> NHWC


@pytest.mark.parametrize("psi", [1.0, 0.5])
def test_stylegan2_ada_pickle_imports_with_equal_images(ada, psi):
  net, path, marker = ada
  imported = sg2.read_stylegan2_ada_pickle(path)
  assert imported.config == sg2.StyleGAN2Config(
    z_dim=Z_DIM,
    w_dim=W_DIM,
    img_resolution=SIZE,
    channel_base=CHANNEL_BASE,
    channel_max=CHANNEL_MAX,
    mapping_layers=MAPPING_LAYERS,
  )
  G = sg2.build_generator(imported, truncation_psi=psi)
  z = _z()
  with torch.no_grad():
    want = _nhwc(net(torch.from_numpy(z), truncation_psi=psi))
  got = G(z, training=False).numpy()
  assert got.shape == want.shape == (3, SIZE, SIZE, 3)
  assert np.std(want) > 0.3  # a real signal
  assert np.max(np.abs(got - want)) <= TOLERANCE
  assert not marker.exists()  # the embedded module source never ran


@pytest.mark.parametrize("psi", [1.0, 0.5])
def test_rosinality_checkpoint_imports_with_equal_images(rosinality, psi):
  net, path = rosinality
  imported = sg2.read_stylegan2_checkpoint(path)  # detected: a torch.save zip
  assert imported.layout == "rosinality"
  assert (imported.config.channel_base, imported.config.channel_max) == (CHANNEL_BASE, CHANNEL_MAX)
  G = sg2.build_generator(imported, truncation_psi=psi)
  z = _z()
  w_avg = torch.from_numpy(imported.state_dict["mapping.w_avg"])
  with torch.no_grad():
    want = _nhwc(net(torch.from_numpy(z), truncation=psi, truncation_latent=w_avg))
  got = G(z, training=False).numpy()
  assert np.std(want) > 0.3
  assert np.max(np.abs(got - want)) <= TOLERANCE
  if psi != 1.0:  # truncation moved the images
    assert np.max(np.abs(got - _nhwc(net(torch.from_numpy(z))))) > 0.1


def test_rosinality_w_avg_is_the_mean_of_mapped_random_z(rosinality):
  net, path = rosinality
  imported = sg2.read_rosinality_checkpoint(path, samples=512)
  z = np.random.default_rng(sg2.MEAN_LATENT_SEED).standard_normal((512, Z_DIM))
  with torch.no_grad():
    want = net.mapping(torch.from_numpy(z).float()).mean(0).numpy()
  np.testing.assert_allclose(imported.state_dict["mapping.w_avg"], want, atol=1e-5)


def test_both_layouts_hold_the_same_names_and_shapes(ada, rosinality):
  a = sg2.read_stylegan2_ada_pickle(ada[1])
  r = sg2.read_rosinality_checkpoint(rosinality[1], samples=16)
  shapes = {k: v.shape for k, v in a.state_dict.items()}
  assert shapes == {k: v.shape for k, v in r.state_dict.items()}
  assert len(shapes) == 2 * MAPPING_LAYERS + 1 + 1 + 7 * 6 + 4 * 4  # fc, w_avg, const, convs, torgb
  assert shapes["synthesis.b32.conv0.weight"] == (8, 16, 3, 3)
  assert shapes["synthesis.b4.conv1.noise_const"] == (4, 4)


def test_a_pickle_records_every_global_and_the_persistence_classes(ada):
  seen: set = set()
  data = safe_pickle.load_network_pickle(ada[1], seen)
  assert ("torch_utils.persistence", "_reconstruct_persistent_obj") in seen
  assert ("dnnlib.util", "EasyDict") in seen
  assert data["G_ema"].class_name == "Generator"
  assert data["G_ema"].state["_modules"]["synthesis"].class_name == "SynthesisNetwork"
  assert safe_pickle.plain(data["training_set_kwargs"]) == {"resolution": SIZE, "use_labels": False}


def test_unsupported_generator_options_are_refused(tmp_path, monkeypatch):
  path = tmp_path / "resnet.pkl"
  _write_ada_pickle(path, _ada_reference(), monkeypatch, tmp_path / "ran", architecture="resnet")
  with pytest.raises(ValueError, match="unsupported generator options: architecture='resnet'"):
    sg2.read_stylegan2_ada_pickle(str(path))


def _save_rosinality(path, state: dict, **args) -> str:
  torch.save({"g_ema": state, "args": argparse.Namespace(**args)}, path)
  return str(path)


def test_missing_unexpected_and_misshaped_keys_name_key_and_shapes(rosinality, tmp_path):
  state = dict(rosinality[0].state_dict())
  del state["convs.1.noise.weight"]
  state["convs.1.extra"] = torch.zeros(2)
  state["to_rgbs.0.bias"] = torch.zeros(1, 4, 1, 1)
  path = _save_rosinality(tmp_path / "bad.pt", state, size=SIZE)
  with pytest.raises(ValueError) as err:
    sg2.read_rosinality_checkpoint(path)
  message = str(err.value)
  assert "missing keys [convs.1.noise.weight]" in message
  assert "unexpected keys [convs.1.extra]" in message
  assert "to_rgbs.0.bias: checkpoint (1, 4, 1, 1) vs expected (1, 3, 1, 1)" in message


def test_rosinality_args_that_contradict_the_weights_are_refused(rosinality, tmp_path):
  path = _save_rosinality(tmp_path / "args.pt", rosinality[0].state_dict(), size=64, n_mlp=2)
  with pytest.raises(ValueError, match="args.size=64 but the weights give size=32"):
    sg2.read_rosinality_checkpoint(path)


def test_a_keras_generator_of_other_widths_is_refused_naming_the_shapes(ada):
  imported = sg2.read_stylegan2_ada_pickle(ada[1])
  kwargs = {**sg2.generator_kwargs(imported.config), "channel_max": 8}
  G = stylegan2_generator(**kwargs, noise_mode="const")
  with pytest.raises(ValueError, match=r"synthesis.b4.const: checkpoint \(16, 4, 4\) -> "):
    sg2.assign_generator(G, imported)


def test_imported_workdir_generates_the_generator_images(ada, tmp_path):
  config = pretrained_stylegan2.get_config("paper256")
  config.generator.truncation_psi = 0.5
  workdir = str(tmp_path / "run")
  model, _ = pretrained_run.import_stylegan2_checkpoint(ada[1], config, workdir)
  loaded_config, loaded, step = load_run(workdir)
  assert step == 0 and loaded.task == "synthesis" and loaded.z_dim == Z_DIM
  assert loaded_config.imported_from.layout == "stylegan2-ada"
  assert (loaded_config.generator.image_size, loaded_config.generator.channel_base) == (32, 256)
  result = generation.generate(workdir, str(tmp_path / "out"), num=2, seed=4)
  assert result.images == ("000000.png", "000001.png")
  z = sample_latents(4, 2, Z_DIM, "normal").numpy()  # the latents generate draws for seed 4
  with torch.no_grad():
    want = _nhwc(ada[0](torch.from_numpy(z), truncation_psi=0.5))
  np.testing.assert_allclose(loaded.G(z, training=False).numpy(), want, atol=TOLERANCE)


def test_a_file_of_the_other_layout_or_running_code_is_refused_naming_it(rosinality, tmp_path):
  with pytest.raises(ValueError, match="is a torch.save file, not a stylegan2-ada-pytorch"):
    sg2.read_stylegan2_ada_pickle(rosinality[1])
  marker = tmp_path / "ran"

  class Evil:
    def __reduce__(self):
      return eval, (f"open({str(marker)!r}, 'w').close()",)

  path = tmp_path / "evil.pkl"
  path.write_bytes(pickle.dumps({"G_ema": Evil()}))
  with pytest.raises(safe_pickle.UnsafePickleError, match=r"evil.pkl': refused: the pickle calls"):
    sg2.read_stylegan2_checkpoint(str(path))
  assert not marker.exists()
