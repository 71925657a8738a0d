"""FIR up / down-sampling of StyleGAN2 (Karras et al. 2020, App. B: "bilinear" resampling with the
separable low-pass [1, 3, 3, 1]): up-sample by zero insertion, pad, filter, down-sample.

Code names -> official stylegan2-ada-pytorch `torch_utils/ops/upfirdn2d.py` (NHWC here, NCHW there):
  setup_filter(f)          setup_filter: the outer product f f^T, normalised to sum 1
  upfirdn2d(x, f, ...)     upfirdn2d(x, f, up, down, padding=[x0, x1, y0, y1], gain); the filter
                           convolves (is flipped), as the official default flip_filter=False
  upsample2d(x, f)         upsample2d: up 2, padding [(fw + 1) // 2, (fw - 2) // 2], gain 4
  downsample2d(x, f)       downsample2d: down 2, padding [(fw - 1) // 2, fw // 2 - 1]
  resample_padding(...)    the padding conv2d_resample gives the FIR filter around a conv
Negative padding crops, as the official. Channels must be static; the batch may be dynamic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

# official networks.py resample_filter=[1,3,3,1] (StyleGAN2 App. B, after Zhang 2019)
RESAMPLE_FILTER = (1, 3, 3, 1)


def setup_filter(f: Sequence[float] = RESAMPLE_FILTER) -> np.ndarray:
  """The 2-D filter [fh, fw] of the 1-D taps `f`: f f^T / sum(f f^T) (float32)."""
  taps = np.asarray(f, np.float32)
  if taps.ndim != 1 or taps.size < 1 or not np.all(np.isfinite(taps)) or taps.sum() == 0:
    raise ValueError(f"resample filter must be 1-D finite taps with a nonzero sum, got {f!r}")
  kernel = np.outer(taps, taps)
  return (kernel / kernel.sum()).astype(np.float32)


def _pad(x: tf.Tensor, padding: Sequence[int]) -> tf.Tensor:
  """Pads (positive) or crops (negative) W by (x0, x1) and H by (y0, y1)."""
  x0, x1, y0, y1 = (int(p) for p in padding)
  x = tf.pad(x, [[0, 0], [max(y0, 0), max(y1, 0)], [max(x0, 0), max(x1, 0)], [0, 0]])
  h, w = tf.shape(x)[1], tf.shape(x)[2]
  return x[:, max(-y0, 0) : h - max(-y1, 0), max(-x0, 0) : w - max(-x1, 0), :]


def upfirdn2d(
  x: tf.Tensor,
  f: np.ndarray,
  up: int = 1,
  down: int = 1,
  padding: Sequence[int] = (0, 0, 0, 0),
  gain: float = 1.0,
) -> tf.Tensor:
  """x [N, H, W, C] -> zero-insert `up`, pad (x0, x1, y0, y1), convolve with f * gain,
  keep every `down`-th pixel: [N, (H up + y0 + y1 - fh) // down + 1, ..., C]."""
  if up < 1 or down < 1:
    raise ValueError(f"up and down must be >= 1, got up={up!r}, down={down!r}")
  if len(padding) != 4:
    raise ValueError(f"padding must be (x0, x1, y0, y1), got {padding!r}")
  channels = x.shape[-1]
  if channels is None:
    raise ValueError(f"upfirdn2d needs static channels, got shape {x.shape}")
  if up > 1:
    # Zero insertion as a stride-`up` transposed conv with the identity 1x1 kernel (x at
    # [up i, up j], zeros elsewhere), which TFLite runs natively (its Pad takes <= 5-D).
    shape = tf.shape(x)
    out_shape = tf.stack([shape[0], shape[1] * up, shape[2] * up, channels])
    eye = tf.eye(channels, dtype=x.dtype)[None, None]  # [1, 1, C, C]
    x = tf.nn.conv2d_transpose(x, eye, out_shape, strides=up, padding="VALID")
  x = _pad(x, padding)
  kernel = np.asarray(f, np.float32)[::-1, ::-1] * np.float32(gain)  # convolution: flipped taps
  kernel = np.tile(kernel[:, :, None, None], [1, 1, channels, 1])  # [fh, fw, C, 1]
  return tf.nn.depthwise_conv2d(
    x, tf.constant(kernel, x.dtype), strides=[1, down, down, 1], padding="VALID"
  )


def upsample2d(x: tf.Tensor, f: np.ndarray, up: int = 2) -> tf.Tensor:
  """[N, H, W, C] -> [N, H up, W up, C], the mean kept (gain up^2; official upsample2d)."""
  fw = f.shape[1]
  p0, p1 = (fw + up - 1) // 2, (fw - up) // 2
  return upfirdn2d(x, f, up=up, padding=(p0, p1, p0, p1), gain=up**2)


def downsample2d(x: tf.Tensor, f: np.ndarray, down: int = 2) -> tf.Tensor:
  """[N, H, W, C] -> [N, H / down, W / down, C] (official downsample2d)."""
  fw = f.shape[1]
  p0, p1 = (fw - down + 1) // 2, (fw - down) // 2
  return upfirdn2d(x, f, down=down, padding=(p0, p1, p0, p1))


def resample_padding(kernel_size: int, filter_size: int, up: int = 1, down: int = 1) -> tuple:
  """(p0, p1): the FIR filter's padding on each side around a conv of `kernel_size` with padding
  kernel_size // 2 (official conv2d_resample.py): after a stride-`up` transposed conv (up > 1),
  or before a stride-`down` conv (down > 1)."""
  p0 = p1 = kernel_size // 2
  if up > 1:
    p0 += (filter_size + up - 1) // 2 - (kernel_size - 1)
    p1 += (filter_size - up) // 2 - (kernel_size - up)
  if down > 1:
    p0 += (filter_size - down + 1) // 2
    p1 += (filter_size - down) // 2
  return p0, p1
