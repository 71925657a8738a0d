"""Feature extractors for the synthesis metrics: images -> (features [N, D], logits [N, C] or None).

Images are float [N, H, W, 3] in [-1, 1] (the pipeline's range) or uint8 [0, 255] (mapped to
[-1, 1]); each is resized bilinearly (half-pixel centres, no antialiasing: pytorch-fid's
F.interpolate(mode="bilinear", align_corners=False)) to the network's input size, 299 for
Inception. Both Inception networks below take [-1, 1]: keras.applications' preprocess_input and
pytorch-fid's normalize_input map their inputs there.

- `model_extractor(PATH)`: a Keras model file (.keras or a full-model .h5) whose outputs are
  pool3 features [N, D] or [features, logits]. The FID Inception network (TF's 2015-12-05 graph,
  pytorch-fid's pt_inception-2015-12-05 weights) converted to such a file is the only extractor
  whose FIDs are comparable with published ones.
- `inception_v3_extractor(PATH)`: keras.applications.InceptionV3(weights=PATH), the ImageNet
  classifier: pool3 ("avg_pool", 2048-d) features and the 1000 logits ("predictions", linear).
  Its FIDs are self-consistent but NOT comparable with published FIDs (other weights, and its
  resize and pooling differ from the 2015 graph).
- `judge_extractor(model, layer)`: any Keras model cut at a named layer (a judge network of a
  procedural domain: the segmenter, the attribute classifier).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence

import h5py
import keras
import numpy as np
import tensorflow as tf

from tfgan_repro.data import folders

INCEPTION_SIZE = 299  # Szegedy et al. 2016 InceptionV3 input; pytorch-fid resizes to 299
BATCH_SIZE = 50  # pytorch-fid --batch-size default
EXTRACTOR_KINDS = ("auto", "model", "inception_v3")  # load_extractor

Images = np.ndarray | Sequence[np.ndarray]


@dataclasses.dataclass(frozen=True)
class FeatureExtractor:
  """`model`: images [N, H, W, 3] in [-1, 1] -> features [N, D], or [features, logits [N, C]].

  `image_size` (height, width): what every image is resized to (None: images go as given).
  """

  name: str
  model: keras.Model
  image_size: tuple[int, int] | None
  has_logits: bool

  def _prepare(self, images: Images) -> tf.Tensor:
    """A batch -> float32 [n, H, W, 3] in [-1, 1] at image_size."""
    out = []
    for image in images:
      image = np.asarray(image)
      if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"images must be [H, W, 3] each, got shape {image.shape}")
      x = tf.convert_to_tensor(image, tf.float32)
      if image.dtype == np.uint8:
        x = x / 127.5 - 1.0  # data.transforms.to_float: [0, 255] -> [-1, 1]
      if self.image_size is not None and tuple(image.shape[:2]) != self.image_size:
        x = tf.image.resize(x, self.image_size, method="bilinear", antialias=False)
      out.append(x)
    shapes = {tuple(x.shape) for x in out}
    if len(shapes) > 1:
      raise ValueError(f"images of several sizes {sorted(shapes)} need an image_size to go to")
    return tf.stack(out)  # [n, H, W, 3]

  def __call__(
    self, images: Images, batch_size: int = BATCH_SIZE
  ) -> tuple[np.ndarray, np.ndarray | None]:
    """(features [N, D] float64, logits [N, C] float64 or None) of images (module doc)."""
    return self.from_batches(images[i : i + batch_size] for i in range(0, len(images), batch_size))

  def from_batches(self, batches: Iterable[Images]) -> tuple[np.ndarray, np.ndarray | None]:
    """As __call__, over an iterable of image batches (a folder read a batch at a time)."""
    features, logits = [], []
    for batch in batches:
      out = self.model(self._prepare(batch), training=False)
      outs = out if isinstance(out, list | tuple) else [out]
      features.append(np.asarray(outs[0], np.float64))
      if self.has_logits:
        logits.append(np.asarray(outs[1], np.float64))
    if not features:
      raise ValueError(f"{self.name}: no images given")
    return np.concatenate(features), np.concatenate(logits) if self.has_logits else None


def _pooled(x: keras.KerasTensor) -> keras.KerasTensor:
  """[N, H, W, C] -> [N, C] (spatial mean, as pool3); [N, ...] -> [N, prod(...)]."""
  if len(x.shape) == 4:
    return keras.layers.GlobalAveragePooling2D()(x)
  return keras.layers.Flatten()(x) if len(x.shape) > 2 else x


def _input_size(model: keras.Model, default: int | None) -> tuple[int, int] | None:
  height, width = model.input_shape[1:3]
  if height is None or width is None:
    return None if default is None else (default, default)
  return int(height), int(width)


def judge_extractor(
  model: keras.Model,
  layer: str,
  logits_layer: str | None = None,
  image_size: tuple[int, int] | None = None,
  name: str | None = None,
) -> FeatureExtractor:
  """Features from `layer` of any Keras model (4-D outputs averaged over space, others
  flattened), logits from `logits_layer` when given; images are resized to `image_size`
  (default: the model's input size if fixed)."""
  names = [lay.name for lay in model.layers]
  for arg, value in (("layer", layer), ("logits_layer", logits_layer)):
    if value is not None and value not in names:
      raise ValueError(f"{arg} {value!r} is not a layer of {model.name!r}: valid are {names}")
  outputs = [_pooled(model.get_layer(layer).output)]
  if logits_layer is not None:
    outputs.append(_pooled(model.get_layer(logits_layer).output))
  cut = keras.Model(model.inputs, outputs, name=f"{model.name}_{layer}")
  size = image_size if image_size is not None else _input_size(model, None)
  return FeatureExtractor(
    name or f"judge {model.name}:{layer}", cut, size, has_logits=logits_layer is not None
  )


def inception_v3_extractor(weights: str | None) -> FeatureExtractor:
  """keras.applications.InceptionV3 with `weights` (a weights file with the top; None: random,
  for shape tests): pool3 "avg_pool" [N, 2048] and the logits of "predictions" [N, 1000]."""
  if weights is not None and not os.path.exists(weights):
    raise ValueError(f"weights file {weights!r} does not exist (no weights are downloaded)")
  net = keras.applications.InceptionV3(
    include_top=True, weights=weights, classifier_activation=None
  )
  model = keras.Model(net.inputs, [net.get_layer("avg_pool").output, net.output], name="inception")
  label = os.path.basename(weights) if weights else "random weights"
  return FeatureExtractor(
    f"keras.applications.InceptionV3 ({label}; not comparable with published FID)",
    model,
    (INCEPTION_SIZE, INCEPTION_SIZE),
    has_logits=True,
  )


def model_extractor(path: str) -> FeatureExtractor:
  """A Keras model file whose outputs are features [N, D] or [features [N, D], logits [N, C]];
  images are resized to its input size (299 when that is not fixed)."""
  if not os.path.exists(path):
    raise ValueError(f"extractor file {path!r} does not exist")
  model = keras.models.load_model(path, compile=False)
  num_outputs = len(model.outputs)
  if num_outputs not in (1, 2) or any(len(o.shape) != 2 for o in model.outputs):
    raise ValueError(
      f"{path!r} must output features [N, D] or [features, logits], got "
      f"{[tuple(o.shape) for o in model.outputs]}"
    )
  return FeatureExtractor(
    f"model file {os.path.basename(path)}",
    model,
    _input_size(model, INCEPTION_SIZE),
    has_logits=num_outputs == 2,
  )


def _is_model_file(path: str) -> bool:
  """.keras, or an .h5 holding a whole model (Keras writes its "model_config" attribute)."""
  if path.endswith(".keras"):
    return True
  try:
    with h5py.File(path, "r") as f:
      return "model_config" in f.attrs
  except OSError as e:
    raise ValueError(f"extractor {path!r} is neither a .keras file nor an HDF5 (.h5) file") from e


def load_extractor(path: str, kind: str = "auto") -> FeatureExtractor:
  """`kind` "model": model_extractor; "inception_v3": inception_v3_extractor (weights file);
  "auto": a model file (.keras, full-model .h5) is a model, any other file InceptionV3 weights."""
  if kind not in EXTRACTOR_KINDS:
    raise ValueError(f"kind must be one of {EXTRACTOR_KINDS}, got {kind!r}")
  if not os.path.exists(path):
    raise ValueError(f"extractor file {path!r} does not exist")
  if kind == "auto":
    kind = "model" if _is_model_file(path) else "inception_v3"
  return model_extractor(path) if kind == "model" else inception_v3_extractor(path)


def image_files(directory: str) -> list[str]:
  """The image files under `directory`, walked recursively and sorted (data.folders)."""
  if not os.path.isdir(directory):
    raise ValueError(f"image folder {directory!r} does not exist")
  found = []
  for root, _, names in sorted(os.walk(directory)):
    found += [
      os.path.join(root, n) for n in sorted(names) if n.lower().endswith(folders.IMG_EXTENSIONS)
    ]
  if not found:
    raise ValueError(
      f"no images in {directory!r}: accepted extensions are {', '.join(folders.IMG_EXTENSIONS)}"
    )
  return found


def folder_features(
  extractor: FeatureExtractor, directory: str, batch_size: int = BATCH_SIZE
) -> tuple[np.ndarray, np.ndarray | None]:
  """extractor's (features, logits) of every image under `directory`, read a batch at a time."""
  paths = image_files(directory)
  batches = (
    [folders.read_image(p).numpy() for p in paths[i : i + batch_size]]
    for i in range(0, len(paths), batch_size)
  )
  return extractor.from_batches(batches)
