"""Curves of a TensorBoard scalar over runs: read a tag (e.g. eval/fid, written by
training/callbacks.py ScoreEvery) from each run's `tensorboard/` event files, draw the runs as
lines of one PNG chart (Pillow: axes, ticks with values, a legend with the run names) and print
them as a table.

x is the training step, or the training images seen in thousands (kimg = step * batch_size /
1000, the unit of StyleGAN2-ADA's logs and of config.eval.every_kimg) when the batch size is given.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import tensorflow as tf
from PIL import Image, ImageDraw, ImageFont

Series = Sequence[tuple[float, float]]  # (x, y) points, x increasing
BACKGROUND = (255, 255, 255)
AXIS_COLOR = (0, 0, 0)
GRID_COLOR = (225, 225, 225)
# matplotlib's "tab10" colours, one per run in order (then repeated)
COLORS = (
  (31, 119, 180),
  (255, 127, 14),
  (44, 160, 44),
  (214, 39, 40),
  (148, 103, 189),
  (140, 86, 75),
  (227, 119, 194),
  (127, 127, 127),
  (188, 189, 34),
  (23, 190, 207),
)
LINE_WIDTH = 2
TICKS = 5  # about this many ticks per axis
# Margins in pixels: left (the y tick values), right, top (the title), bottom (x ticks and label)
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 28, 44
_EVENTS = "events.out.tfevents"  # tf.summary's file name prefix


def _event_files(workdir: str) -> list[str]:
  """The event files under workdir/tensorboard (or under workdir itself when it has no
  tensorboard/ folder: a log directory given directly), recursively, sorted."""
  root = os.path.join(workdir, "tensorboard")
  if not tf.io.gfile.isdir(root):
    root = workdir
  if not tf.io.gfile.isdir(root):
    raise ValueError(f"workdir must be a run directory or a log directory, got {workdir!r}")
  found = []
  for folder, _, files in tf.io.gfile.walk(root):
    found += [os.path.join(folder, f) for f in files if f.startswith(_EVENTS)]
  return sorted(found)


def read_scalars(workdir: str, tag: str) -> list[tuple[int, float]]:
  """[(step, value)] of the scalar `tag` in the event files of `workdir` (`_event_files`), by
  step; where a step was logged twice (a resumed run) the later write counts. ValueError naming
  the tags there when `tag` is not among them."""
  events, tags = [], set()
  for path in _event_files(workdir):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        tags.add(value.tag)
        if value.tag != tag:
          continue
        if value.HasField("tensor"):  # TF2 tf.summary.scalar
          number = float(tf.make_ndarray(value.tensor))
        else:  # TF1 simple_value
          number = float(value.simple_value)
        events.append((event.wall_time, int(event.step), number))
  if not events:
    raise ValueError(
      f"tag {tag!r} is not in the event files of {workdir!r}; tags there: {sorted(tags) or 'none'}"
    )
  by_step = {step: number for _, step, number in sorted(events, key=lambda e: e[0])}
  return sorted(by_step.items())


def to_kimg(points: Sequence[tuple[int, float]], batch_size: int) -> list[tuple[float, float]]:
  """(step, y) -> (step * batch_size / 1000, y): x in thousands of training images."""
  if not isinstance(batch_size, int) or batch_size < 1:
    raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
  return [(step * batch_size / 1000.0, y) for step, y in points]


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
  """About `count` round tick values (1, 2 or 5 x 10^k apart) covering [low, high]."""
  if not high > low:
    raise ValueError(f"need high > low, got low {low!r}, high {high!r}")
  raw = (high - low) / max(count - 1, 1)
  power = 10.0 ** math.floor(math.log10(raw))
  step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
  first = math.floor(low / step + 1e-9) * step
  ticks = []
  value = first
  while value <= high + step * 1e-6:
    ticks.append(round(value / step) * step)
    value += step
  if ticks[-1] < high - step * 1e-6:
    ticks.append(ticks[-1] + step)
  return ticks


def _span(values: list[float]) -> tuple[float, float]:
  """(low, high) of `values`, widened where they are all equal."""
  low, high = min(values), max(values)
  if high == low:
    pad = abs(low) * 0.1 or 1.0
    low, high = low - pad, high + pad
  return low, high


def _label(value: float) -> str:
  return f"{value:.6g}"


def _font() -> ImageFont.ImageFont:
  try:
    return ImageFont.load_default(size=12)
  except (TypeError, OSError):  # Pillow without FreeType: its bitmap font
    return ImageFont.load_default()


def plot_lines(
  series: Mapping[str, Series],
  path: str,
  *,
  width: int = 640,
  height: int = 400,
  x_label: str = "step",
  title: str = "",
) -> dict[str, list[tuple[int, int]]]:
  """Draws each run of `series` ({name: [(x, y)]}) as a line of its colour (COLORS, in order)
  on one chart of width x height pixels with ticks on round values and a legend of the names,
  and writes it to `path` as PNG. Returns each run's points in pixels (column, row)."""
  if not series or any(len(points) == 0 for points in series.values()):
    raise ValueError(f"series must map run names to non-empty point lists, got {dict(series)!r}")
  if width < 200 or height < 150:
    raise ValueError(f"width and height must be >= 200 and >= 150, got {width} x {height}")
  xs = [x for points in series.values() for x, _ in points]
  ys = [y for points in series.values() for _, y in points]
  x_ticks, y_ticks = nice_ticks(*_span(xs)), nice_ticks(*_span(ys))
  (x0, x1), (y0, y1) = (x_ticks[0], x_ticks[-1]), (y_ticks[0], y_ticks[-1])
  left, right, top, bottom = _LEFT, width - _RIGHT, _TOP, height - _BOTTOM

  def pixel(x: float, y: float) -> tuple[int, int]:
    column = left + (x - x0) / (x1 - x0) * (right - left)
    row = bottom - (y - y0) / (y1 - y0) * (bottom - top)
    return round(column), round(row)

  image = Image.new("RGB", (width, height), BACKGROUND)
  draw = ImageDraw.Draw(image)
  font = _font()
  for tick in x_ticks:
    column = pixel(tick, y0)[0]
    draw.line([(column, top), (column, bottom)], fill=GRID_COLOR)
    draw.line([(column, bottom), (column, bottom + 4)], fill=AXIS_COLOR)
    draw.text((column, bottom + 6), _label(tick), fill=AXIS_COLOR, font=font, anchor="ma")
  for tick in y_ticks:
    row = pixel(x0, tick)[1]
    draw.line([(left, row), (right, row)], fill=GRID_COLOR)
    draw.line([(left - 4, row), (left, row)], fill=AXIS_COLOR)
    draw.text((left - 6, row), _label(tick), fill=AXIS_COLOR, font=font, anchor="rm")
  draw.line([(left, top), (left, bottom), (right, bottom)], fill=AXIS_COLOR)
  draw.text(((left + right) // 2, height - 4), x_label, fill=AXIS_COLOR, font=font, anchor="md")
  if title:
    draw.text(((left + right) // 2, 6), title, fill=AXIS_COLOR, font=font, anchor="ma")
  drawn = {}
  for i, (name, points) in enumerate(series.items()):
    color = COLORS[i % len(COLORS)]
    drawn[name] = [pixel(x, y) for x, y in points]
    if len(points) > 1:
      draw.line(drawn[name], fill=color, width=LINE_WIDTH, joint="curve")
    for column, row in drawn[name]:
      draw.ellipse([column - 2, row - 2, column + 2, row + 2], fill=color)
  _legend(draw, font, list(series), right)
  with tf.io.gfile.GFile(path, "wb") as f:
    image.save(f, format="PNG")
  return drawn


def _legend(draw: ImageDraw.ImageDraw, font: ImageFont.ImageFont, names: list[str], right: int):
  """A box in the top right corner: per run a swatch of its colour and its name."""
  line = 16
  text_width = max(draw.textlength(name, font=font) for name in names)
  box_left = right - 8 - 24 - int(text_width) - 8
  box_top = _TOP + 6
  draw.rectangle(
    [box_left, box_top, right - 6, box_top + line * len(names) + 6],
    fill=BACKGROUND,
    outline=AXIS_COLOR,
  )
  for i, name in enumerate(names):
    row = box_top + 4 + i * line + line // 2
    color = COLORS[i % len(COLORS)]
    draw.line([(box_left + 6, row), (box_left + 24, row)], fill=color, width=3)
    draw.text((box_left + 30, row), name, fill=AXIS_COLOR, font=font, anchor="lm")


def format_table(series: Mapping[str, Series], x_label: str = "step") -> str:
  """The runs as a text table: one row per x of any run, one column per run, blank where a run
  has no value at that x."""
  names = list(series)
  columns = {name: dict(points) for name, points in series.items()}
  xs = sorted({x for points in series.values() for x, _ in points})
  rows = [[x_label, *names]]
  rows += [
    [_label(x), *(_label(columns[n][x]) if x in columns[n] else "" for n in names)] for x in xs
  ]
  widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
  return "\n".join(
    "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
  )
