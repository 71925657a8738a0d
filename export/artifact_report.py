"""What export_generators shipped: one row per artifact, and a text table of them."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ArtifactReport:
  """One checked artifact.

  network: the generator's name; format: "saved_model" or "tflite"; path: where it lies;
  bytes: its size on disk (all files for a SavedModel folder); max_abs / mean_abs: |artifact -
  Keras| on the check images; seconds: wall time to write it (export or conversion, not the check).
  """

  network: str
  format: str
  path: str
  bytes: int
  max_abs: float
  mean_abs: float
  seconds: float


def format_report(reports: list[ArtifactReport]) -> str:
  """A plain-text table, one line per artifact, columns aligned."""
  header = ("network", "format", "KiB", "max_abs", "mean_abs", "seconds", "path")
  rows = [
    (
      r.network,
      r.format,
      f"{r.bytes / 1024:.1f}",
      f"{r.max_abs:.2e}",
      f"{r.mean_abs:.2e}",
      f"{r.seconds:.2f}",
      r.path,
    )
    for r in reports
  ]
  widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
  return "\n".join(
    "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
    for row in [header, *rows]
  )
