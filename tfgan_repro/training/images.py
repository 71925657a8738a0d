"""Image grids for TensorBoard and PNG sample sheets."""

from __future__ import annotations

import io

import numpy as np
import tensorflow as tf
from PIL import Image

from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.util.atomic import write_bytes_atomic


def grid(columns: dict[str, tf.Tensor]) -> np.ndarray:
  """One row per example, one column per entry (each [N, H, W, 3] in [-1, 1]) -> uint8 [N*H, K*W, 3]."""
  stacked = np.stack([to_uint8(v) for v in columns.values()], axis=1)  # [N, K, H, W, 3]
  n, k, h, w, c = stacked.shape
  return stacked.transpose(0, 2, 1, 3, 4).reshape(n * h, k * w, c)  # [N*H, K*W, 3]


def save_png(image: np.ndarray, path: str) -> str:
  buffer = io.BytesIO()
  Image.fromarray(image).save(buffer, format="PNG")
  return write_bytes_atomic(path, buffer.getvalue())
