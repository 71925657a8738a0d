"""Reading PyTorch pickles without running them: stylegan2-ada-pytorch network pickles and
torch.save files (zip or legacy), rebuilt with numpy only.

A pickle is a program: every global it names is imported and every call it makes runs on load.
stylegan2-ada-pytorch's `network-snapshot-*.pkl` (official `training/training_loop.py`:
pickle.dump of {'G', 'D', 'G_ema', 'augment_pipe', 'training_set_kwargs'}) goes further: its
modules are pickled by official `torch_utils/persistence.py`, whose reducer
`_reconstruct_persistent_obj(meta)` executes the module SOURCE CODE stored in `meta['module_src']`
to rebuild each class. The restricted unpickler here never imports a module named in the pickle
and never executes anything from it:

- `find_class(module, name)` records the pair and returns either one of the numpy rebuilders
  below or an inert stub class (`PickledObject` subclass named `module.name`);
- a stub holds what the pickle puts in it (constructor arguments through NEWOBJ or
  copyreg._reconstructor, dict / list items, BUILD state) and calling a stub (a REDUCE of any
  callable that is not a rebuilder: os.system, builtins.eval, a module's class, ...) raises
  `UnsafePickleError` before anything runs;
- rebuilders (numpy, no torch):
  torch._utils._rebuild_tensor_v2 / _rebuild_tensor (storage, offset, size, stride) -> ndarray;
  torch._utils._rebuild_parameter(_with_state) -> the data ndarray;
  torch.storage._load_from_bytes(bytes) -> a storage, the bytes a torch.save file (zip or the
  legacy format) read by a nested restricted unpickler;
  torch_utils.persistence._reconstruct_persistent_obj(meta) -> `PersistentObject` (class name,
  state, sha256 of the source; the source itself is never compiled);
  collections.OrderedDict, builtins set / frozenset, copyreg._reconstructor on stubs,
  torch.Size -> tuple, numpy dtypes, scalars and arrays of numeric kinds.

torch.save layouts (torch/serialization.py): the zip archive holds `*/data.pkl` (the object,
storages as persistent ids ('storage', storage_type, key, location, numel)) and `*/data/KEY`
(raw little-endian bytes, `*/byteorder` saying otherwise); the legacy format is a sequence of
pickles (magic number, protocol version, sys_info, the object with persistent ids ('storage',
storage_type, root_key, location, numel, view_metadata), the sorted storage keys), then per key
an int64 element count and the raw bytes.

`module_state_dict(obj)` walks an nn.Module stub's state (`_parameters`, `_buffers`, `_modules`,
`_non_persistent_buffers_set`: torch/nn/modules/module.py) into nn.Module.state_dict()'s names.
"""

from __future__ import annotations

import _compat_pickle
import collections
import hashlib
import io
import pickle
import struct
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

PERSISTENCE_MODULE = "torch_utils.persistence"  # official stylegan2-ada-pytorch reducer module
PERSISTENCE_RECONSTRUCT = "_reconstruct_persistent_obj"
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch/serialization.py MAGIC_NUMBER
LEGACY_PROTOCOL = 1001  # torch/serialization.py PROTOCOL_VERSION

# torch/storage.py storage class names -> numpy dtypes ("bfloat16" widened to float32 below)
STORAGE_DTYPES = {
  "DoubleStorage": np.float64,
  "FloatStorage": np.float32,
  "HalfStorage": np.float16,
  "BFloat16Storage": "bfloat16",
  "LongStorage": np.int64,
  "IntStorage": np.int32,
  "ShortStorage": np.int16,
  "CharStorage": np.int8,
  "ByteStorage": np.uint8,
  "BoolStorage": np.bool_,
  "UntypedStorage": np.uint8,
}


class UnsafePickleError(ValueError):
  """A pickle asked for a call outside the rebuilders (nothing of it was run)."""


class PickledObject:
  """An object of a class named in a pickle, never imported: `pickled_module` / `pickled_name`
  name the class; `args` (NEWOBJ arguments), `state` (BUILD), `items` (dict items) and
  `elements` (list items) hold what the pickle put in it."""

  pickled_module = ""
  pickled_name = ""

  def __new__(cls, *args: Any):
    obj = object.__new__(cls)
    obj.args, obj.state, obj.items, obj.elements = args, None, {}, []
    return obj

  def __setstate__(self, state: Any) -> None:
    self.state = state

  def __setitem__(self, key: Any, value: Any) -> None:
    self.items[key] = value

  def append(self, value: Any) -> None:
    self.elements.append(value)

  def extend(self, values: Any) -> None:
    self.elements.extend(values)

  def __repr__(self) -> str:
    return f"<{self.pickled_module}.{self.pickled_name} (not imported)>"


class PersistentObject(PickledObject):
  """An object pickled by official torch_utils.persistence: `class_name`, `state` (the object's
  __dict__: an nn.Module's _parameters / _buffers / _modules / _init_kwargs ...), `version` and
  `source_sha256` of the embedded module source (never compiled)."""

  pickled_module = PERSISTENCE_MODULE
  pickled_name = PERSISTENCE_RECONSTRUCT

  def __init__(self, meta: Mapping) -> None:
    self.class_name = str(meta.get("class_name", ""))
    self.version = meta.get("version")
    source = meta.get("module_src", "")
    source = source.encode() if isinstance(source, str) else bytes(source or b"")
    self.source_sha256 = hashlib.sha256(source).hexdigest()
    self.state = meta.get("state")

  def __repr__(self) -> str:
    return f"<persistent {self.class_name} (source not run)>"


class _StubType(type):
  """Metaclass of stubs: calling one (a pickle REDUCE / INST) is refused."""

  def __call__(cls, *args: Any, **kwargs: Any):
    shown = ", ".join(_short(a) for a in args)
    raise UnsafePickleError(
      f"refused: the pickle calls {cls.pickled_module}.{cls.pickled_name}({shown}); only tensor, "
      "container and stylegan2-ada persistence records are rebuilt, nothing else is run"
    )


def _short(value: Any) -> str:
  text = repr(value)
  return text if len(text) <= 60 else text[:57] + "..."


class _Storage:
  """A torch storage as a flat numpy array; `data` None while a legacy file's first pass runs
  (its bytes come after the object's pickle)."""

  def __init__(self, dtype: Any, numel: int, data: np.ndarray | None = None) -> None:
    self.dtype, self.numel, self.data = dtype, numel, data


class _StorageType:
  """A torch.*Storage class named in a pickle: its element type only."""

  def __init__(self, name: str) -> None:
    self.name, self.dtype = name, STORAGE_DTYPES[name]


def _as_array(raw: bytes, dtype: Any, numel: int, big_endian: bool = False) -> np.ndarray:
  """Flat array of `numel` elements from raw bytes (bfloat16 widened to float32)."""
  if dtype == "bfloat16":
    bits = np.frombuffer(raw, ">u2" if big_endian else "<u2", numel).astype(np.uint32)
    return (bits << 16).view(np.float32)  # bfloat16 = the high half of a float32
  kind = np.dtype(dtype).newbyteorder(">" if big_endian else "<")
  return np.frombuffer(raw, kind, numel).astype(np.dtype(dtype))


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple, stride: tuple, *rest: Any):
  """torch._utils._rebuild_tensor(_v2): the strided view of `storage`, copied."""
  del rest  # requires_grad, backward hooks, metadata: not part of the values
  if not isinstance(storage, _Storage):
    raise UnsafePickleError(f"refused: tensor record on {_short(storage)}, not a storage")
  data = storage.data
  if data is None:  # a legacy file's first pass
    return None
  if not size:
    return data[offset].copy()
  view = np.lib.stride_tricks.as_strided(
    data[offset:], shape=tuple(size), strides=tuple(s * data.itemsize for s in stride)
  )
  return np.array(view)


def _rebuild_parameter(data: np.ndarray, *rest: Any) -> np.ndarray:
  """torch._utils._rebuild_parameter(_with_state): the parameter's data."""
  del rest  # requires_grad, backward hooks, state
  return data


def _reconstructor(cls: Any, base: Any, state: Any = None) -> PickledObject:
  """copyreg._reconstructor(cls, object, None): an empty stub of `cls` (BUILD fills it)."""
  plain_base = isinstance(base, _StubType) and (base.pickled_module, base.pickled_name) == (
    "builtins",
    "object",
  )
  if not isinstance(cls, _StubType) or not plain_base or state is not None:
    raise UnsafePickleError(
      f"refused: copyreg._reconstructor({_short(cls)}, {_short(base)}, {_short(state)})"
    )
  return cls.__new__(cls)


def _load_from_bytes(raw: bytes) -> Any:
  """torch.storage._load_from_bytes: a torch.save file in memory."""
  return load_torch_bytes(bytes(raw))


def _ordered_dict(*args: Any) -> collections.OrderedDict:
  if args and not isinstance(args[0], (list, tuple)):
    raise UnsafePickleError(f"refused: collections.OrderedDict({_short(args[0])})")
  return collections.OrderedDict(*args)


def _container(kind: type) -> Callable[..., Any]:
  def build(*args: Any) -> Any:
    if args and not isinstance(args[0], (list, tuple, set, frozenset)):
      raise UnsafePickleError(f"refused: {kind.__name__}({_short(args[0])})")
    return kind(*args)

  return build


def _numpy_dtype(name: Any, *rest: Any) -> np.dtype:
  dtype = np.dtype(name) if isinstance(name, str) else None
  if dtype is None or dtype.kind not in "biufc":
    raise UnsafePickleError(f"refused: numpy.dtype({_short(name)}) (numeric dtypes only)")
  return dtype


def _numpy_scalar(dtype: Any, raw: Any = b"") -> Any:
  if not isinstance(dtype, np.dtype) or dtype.kind not in "biufc" or not isinstance(raw, bytes):
    raise UnsafePickleError(f"refused: numpy scalar of {_short(dtype)}")
  return np.frombuffer(raw, dtype, 1)[0]


def _latin1_bytes(text: Any, encoding: Any = "latin1") -> bytes:
  """_codecs.encode(str, 'latin1'): how protocol 2 pickles bytes."""
  if not isinstance(text, str) or encoding != "latin1":
    raise UnsafePickleError(f"refused: _codecs.encode({_short(text)}, {_short(encoding)})")
  return text.encode("latin1")


class _NumpyArrayType:
  """numpy.ndarray named in a pickle: only `_reconstruct` takes it (never called)."""


def _numpy_reconstruct(cls: Any, shape: Any = (0,), typecode: Any = b"b") -> np.ndarray:
  """numpy.core.multiarray._reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills
  (ndarray.__setstate__ with a dtype from `_numpy_dtype`: numeric data only)."""
  if not isinstance(cls, _NumpyArrayType):
    raise UnsafePickleError(f"refused: numpy _reconstruct of {_short(cls)}")
  del shape, typecode  # always (0,), b'b' (numpy ndarray.__reduce__)
  return np.ndarray.__new__(np.ndarray, (0,), np.uint8)


def _numpy_frombuffer(raw: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
  """numpy _frombuffer(buffer, dtype, shape, order): protocol 5 arrays (numeric dtypes only)."""
  if not isinstance(dtype, np.dtype) or dtype.kind not in "biufc" or order not in ("C", "F"):
    raise UnsafePickleError(f"refused: numpy _frombuffer of {_short(dtype)}, order {order!r}")
  return np.frombuffer(bytes(raw), dtype).reshape(tuple(shape), order=order).copy()  # shape


def _persistent(meta: Any) -> PersistentObject:
  """torch_utils.persistence._reconstruct_persistent_obj(meta): recorded, its source not run."""
  if not isinstance(meta, Mapping) or meta.get("type") != "class":
    raise UnsafePickleError(f"refused: persistence record {_short(meta)} (type 'class' expected)")
  return PersistentObject(meta)


_REBUILDERS: dict[tuple[str, str], Callable[..., Any]] = {
  ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
  ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
  ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
  ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
  ("torch.storage", "_load_from_bytes"): _load_from_bytes,
  (PERSISTENCE_MODULE, PERSISTENCE_RECONSTRUCT): _persistent,
  ("collections", "OrderedDict"): _ordered_dict,
  ("builtins", "set"): _container(set),
  ("builtins", "frozenset"): _container(frozenset),
  ("torch", "Size"): _container(tuple),
  ("copyreg", "_reconstructor"): _reconstructor,
  ("numpy", "dtype"): _numpy_dtype,
  ("numpy.core.multiarray", "scalar"): _numpy_scalar,
  ("numpy._core.multiarray", "scalar"): _numpy_scalar,
  ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
  ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
  ("numpy", "ndarray"): _NumpyArrayType(),
  ("numpy.core.numeric", "_frombuffer"): _numpy_frombuffer,
  ("numpy._core.numeric", "_frombuffer"): _numpy_frombuffer,
  ("_codecs", "encode"): _latin1_bytes,
}


class _RestrictedUnpickler(pickle.Unpickler):
  """pickle.Unpickler whose find_class imports nothing (module docstring); `storages` (key ->
  _Storage) answers torch.save persistent ids, `seen` records every global named."""

  def __init__(
    self,
    file: BinaryIO,
    storages: dict[str, _Storage] | None,
    seen: set,
    read: Callable[[str, Any, int], np.ndarray | None] | None = None,
  ) -> None:
    super().__init__(file)
    self.storages, self.seen, self.read = storages, seen, read
    self._stubs: dict[tuple[str, str], type] = {}

  def find_class(self, module: str, name: str) -> Any:
    # Python 2 names of protocol 0-2 pickles (torch's legacy format): __builtin__ -> builtins, ...
    module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
    module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    self.seen.add((module, name))
    if (module, name) in _REBUILDERS:
      return _REBUILDERS[(module, name)]
    if module == "torch" and name in STORAGE_DTYPES:
      return _StorageType(name)
    if (module, name) not in self._stubs:
      self._stubs[(module, name)] = _StubType(
        name, (PickledObject,), {"pickled_module": module, "pickled_name": name}
      )
    return self._stubs[(module, name)]

  def persistent_load(self, pid: Any) -> Any:
    if self.storages is None or not isinstance(pid, tuple) or not pid or pid[0] != "storage":
      raise UnsafePickleError(f"refused: persistent id {_short(pid)} outside a torch.save file")
    storage_type, key, numel = pid[1], str(pid[2]), int(pid[4])
    if not isinstance(storage_type, _StorageType):
      raise UnsafePickleError(f"refused: storage of type {_short(storage_type)}")
    if key not in self.storages:
      data = self.read(key, storage_type.dtype, numel) if self.read else None
      self.storages[key] = _Storage(storage_type.dtype, numel, data)
    return self.storages[key]


def _unpickle(
  file: BinaryIO,
  storages: dict[str, _Storage] | None = None,
  seen: set | None = None,
  read: Callable[[str, Any, int], np.ndarray | None] | None = None,
) -> Any:
  try:
    return _RestrictedUnpickler(file, storages, set() if seen is None else seen, read).load()
  except UnsafePickleError:
    raise
  except (pickle.UnpicklingError, EOFError, TypeError, AttributeError, KeyError) as err:
    raise ValueError(f"not a readable pickle: {type(err).__name__}: {err}") from err


def _load_zip(raw: bytes, seen: set) -> Any:
  with zipfile.ZipFile(io.BytesIO(raw)) as archive:
    names = archive.namelist()
    pkl = [n for n in names if n.endswith("data.pkl")]
    if len(pkl) != 1:
      raise ValueError(f"torch.save zip without exactly one data.pkl: {names[:5]}")
    prefix = pkl[0][: -len("data.pkl")]
    big_endian = (
      f"{prefix}byteorder" in names and archive.read(f"{prefix}byteorder").strip() == b"big"
    )

    def read(key: str, dtype: Any, numel: int) -> np.ndarray:
      return _as_array(archive.read(f"{prefix}data/{key}"), dtype, numel, big_endian)

    return _unpickle(io.BytesIO(archive.read(pkl[0])), {}, seen, read)


def _load_legacy(raw: bytes, seen: set) -> Any:
  f = io.BytesIO(raw)
  magic = _unpickle(f, None, seen)
  if magic != LEGACY_MAGIC:
    raise ValueError("not a torch.save file (zip or legacy): wrong magic number")
  protocol = _unpickle(f, None, seen)
  if protocol != LEGACY_PROTOCOL:
    raise ValueError(f"unsupported legacy torch.save protocol {protocol!r}")
  sys_info = _unpickle(f, None, seen)
  big_endian = isinstance(sys_info, Mapping) and not sys_info.get("little_endian", True)
  start = f.tell()
  storages: dict[str, _Storage] = {}
  _unpickle(f, storages, seen)  # first pass: which storages, and where the keys start
  keys = _unpickle(f, None, seen)
  for key in keys:
    storage = storages[str(key)]
    (numel,) = struct.unpack(">q" if big_endian else "<q", f.read(8))  # element count
    size = numel * (2 if storage.dtype == "bfloat16" else np.dtype(storage.dtype).itemsize)
    storage.data = _as_array(f.read(size), storage.dtype, numel, big_endian)
  f.seek(start)
  return _unpickle(f, storages, seen)


def load_torch_bytes(raw: bytes, seen: set | None = None) -> Any:
  """The object of a torch.save file held in `raw` (zip or legacy layout), tensors as numpy
  arrays, other classes as `PickledObject` stubs. Raises UnsafePickleError for any call outside
  the rebuilders (module docstring), ValueError for a file of another format."""
  seen = set() if seen is None else seen
  if zipfile.is_zipfile(io.BytesIO(raw)):
    return _load_zip(raw, seen)
  return _load_legacy(raw, seen)


def _read(path: str) -> bytes:
  try:
    with open(path, "rb") as f:
      return f.read()
  except OSError as err:
    raise ValueError(f"cannot read {path!r}: {err}") from err


def load_torch_file(path: str, seen: set | None = None) -> Any:
  """`load_torch_bytes` of the file at `path` (e.g. a rosinality/stylegan2-pytorch checkpoint)."""
  return load_torch_bytes(_read(path), seen)


def load_network_pickle(path: str, seen: set | None = None) -> Any:
  """The object of a plain pickle file (stylegan2-ada-pytorch network-snapshot-*.pkl), read
  without importing or running anything from it: stubs, PersistentObject records and numpy
  tensors. `seen` (a set) receives every (module, name) the pickle names."""
  return _unpickle(io.BytesIO(_read(path)), None, seen)


def module_state(obj: Any) -> dict:
  """The __dict__ state of an nn.Module stub (PersistentObject or copyreg-rebuilt)."""
  state = obj.state if isinstance(obj, PickledObject) else None
  if isinstance(state, tuple) and len(state) == 2:  # (state, slotstate)
    state = state[0]
  if not isinstance(state, dict) or "_parameters" not in state:
    raise ValueError(f"{obj!r} is not a pickled torch.nn.Module (no _parameters in its state)")
  return state


def plain(value: Any) -> Any:
  """Dict-like stubs (dnnlib.EasyDict, OrderedDict) -> dict, recursively; lists and tuples kept;
  anything else as it is."""
  if isinstance(value, PickledObject) and not isinstance(value, PersistentObject):
    if value.items or isinstance(value.state, dict) and not value.elements:
      merged = dict(value.state or {}) if isinstance(value.state, dict) else {}
      merged.update(value.items)
      return {k: plain(v) for k, v in merged.items()}
    if value.elements:
      return [plain(v) for v in value.elements]
  if isinstance(value, Mapping):
    return {k: plain(v) for k, v in value.items()}
  if isinstance(value, list):
    return [plain(v) for v in value]
  if isinstance(value, tuple):
    return tuple(plain(v) for v in value)
  return value


def module_state_dict(obj: Any, prefix: str = "") -> dict[str, np.ndarray]:
  """nn.Module.state_dict() of a pickled module: parameters, then persistent buffers, then each
  submodule's under `name.` (torch/nn/modules/module.py order)."""
  state = module_state(obj)
  out: dict[str, np.ndarray] = {}
  for name, value in (state.get("_parameters") or {}).items():
    if value is not None:
      out[prefix + name] = np.asarray(value)
  skip = set(state.get("_non_persistent_buffers_set") or ())
  for name, value in (state.get("_buffers") or {}).items():
    if value is not None and name not in skip:
      out[prefix + name] = np.asarray(value)
  for name, child in (state.get("_modules") or {}).items():
    if child is not None:
      out.update(module_state_dict(child, f"{prefix}{name}."))
  return out
