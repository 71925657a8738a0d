"""Official BigGAN-PyTorch spectral-norm modules -> the Keras SN layers, for the parity tests."""

import numpy as np

from tfgan_repro.layers import SpectralNormalization


def set_sn(layer: SpectralNormalization, state: dict, path: str, kernel: np.ndarray) -> None:
  """The official SN module at `path` -> `layer`, (u, v) of the official eval-mode step from u0."""
  layer.layer.kernel.assign(kernel)
  if f"{path}.bias" in state:
    layer.layer.bias.assign(state[f"{path}.bias"])
  w = kernel.reshape(-1, kernel.shape[-1]).astype(np.float64)  # [fan_in, out]
  v = w @ state[f"{path}.u0"][0]
  v /= np.linalg.norm(v)
  u = w.T @ v
  layer.u.assign(u / np.linalg.norm(u))
  layer.v.assign(v)
