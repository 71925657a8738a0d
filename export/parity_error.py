"""The error raised when an exported artifact does not reproduce its Keras model."""

from __future__ import annotations


class ParityError(RuntimeError):
  """An artifact's outputs differ from the Keras model's by more than the tolerance."""
