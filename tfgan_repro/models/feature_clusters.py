"""Instance feature clusters of pix2pixHD (Wang et al. 2018, Sec. 3.4; official
encode_features.py and Pix2PixHDModel.encode_features): per class, k-means centres of the
encoder's per-instance features over the training set, chosen from at test time."""

from __future__ import annotations

import numpy as np

from tfgan_repro.data.labels import (
  INSTANCE_ID_BASE,  # official: label = id if id < 1000 else id // 1000
)

N_CLUSTERS = 10  # official --n_clusters 10
BLOCK_NUM = 32  # official encode_features: size = pixels / (H * W // 32)
MIN_SIZE = 0.5  # official: instances with size > 0.5 (more than 1/64 of the image) are clustered


def kmeans(points: np.ndarray, k: int, *, seed: int = 0, iterations: int = 100) -> np.ndarray:
  """Lloyd's k-means of points [P, F] into min(k, P) centres [K, F], largest cluster first.

  Initial centres: distinct points drawn with `seed` (official: sklearn KMeans, random_state 0).
  """
  points = np.asarray(points, np.float64)
  if points.ndim != 2 or len(points) < 1 or k < 1:
    raise ValueError(f"need points [P >= 1, F] and k >= 1, got shape {points.shape}, k={k!r}")
  k = min(k, len(points))
  rng = np.random.default_rng(seed)
  centres = points[rng.choice(len(points), k, replace=False)]
  for _ in range(iterations):
    assign = np.argmin(((points[:, None] - centres[None]) ** 2).sum(-1), axis=1)  # [P]
    new = np.stack(
      [points[assign == c].mean(0) if np.any(assign == c) else centres[c] for c in range(k)]
    )
    if np.allclose(new, centres):
      break
    centres = new
  sizes = np.bincount(assign, minlength=k)
  return centres[np.argsort(-sizes, kind="stable")].astype(np.float32)


def instance_features(features: np.ndarray, ids: np.ndarray) -> dict[int, np.ndarray]:
  """Per class, rows [feat..., size] of each instance of one image: features [H, W, F] (already
  constant per instance), ids [H, W] (Cityscapes-style). Official encode_features."""
  h, w = ids.shape
  rows: dict[int, list[np.ndarray]] = {}
  for i in np.unique(ids.astype(np.int64)):
    label = int(i if i < INSTANCE_ID_BASE else i // INSTANCE_ID_BASE)
    where = np.argwhere(ids == i)  # raster order, as torch nonzero()
    r, c = where[len(where) // 2]  # official: idx[num // 2]
    size = len(where) / (h * w // BLOCK_NUM)
    rows.setdefault(label, []).append(np.append(features[r, c], size))
  return {label: np.stack(v) for label, v in rows.items()}


def cluster_centres(
  rows: dict[int, np.ndarray], num_classes: int, feat_num: int, n_clusters: int = N_CLUSTERS
) -> tuple[np.ndarray, np.ndarray]:
  """(centres [num_classes, n_clusters, feat_num], counts [num_classes]): per class, k-means of
  its instances larger than MIN_SIZE (official encode_features.py); unused rows are zeros."""
  centres = np.zeros((num_classes, n_clusters, feat_num), np.float32)
  counts = np.zeros(num_classes, np.int32)
  for label, feat in rows.items():
    feat = feat[feat[:, -1] > MIN_SIZE, :-1]
    if 0 <= label < num_classes and len(feat):
      found = kmeans(feat, n_clusters)
      centres[label, : len(found)] = found
      counts[label] = len(found)
  return centres, counts
