"""Tasks by name: how the main job and the tools evaluate, show and ship a family's model.

A model declares its task by the class attribute `task` (a name in TASKS; GANModel has none) and
`task_of(model)` returns it. A task says:
- `evaluate(config, model, **judges)`: its scores (judges: paths of judge networks by name, e.g.
  "segmenter", "classifier"; None = config.eval.<judge>, "" = off); `format` prints them and
  `write` stores them as WORKDIR/eval.json;
- `write_samples`: the sheets (and whatever else it shows) written into the workdir;
- `export_generators` / `export_check_inputs`: the networks export writes and the held-out inputs
  each one is checked on (export.inputs: one serving key per Keras input);
- `inputs`: the serving keys its generators take from a caller; `check_feeds` refuses a command
  that cannot give them (translate feeds "images").

A task is a `Task` subclass registered with `@register_task(NAME)` in its module, imported by
tasks/__init__.py; a family joins it by `task = NAME` on its model class. A synthesis task
(inputs "latents", FID) plugs in the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import keras
import ml_collections
import numpy as np
from absl import logging

from tfgan_repro import data
from tfgan_repro.models import GANModel
from tfgan_repro.training import images as image_utils
from tfgan_repro.training import run as training
from tfgan_repro.util.atomic import write_json_atomic
from tfgan_repro.util.registry import Registry

EVAL_FILE = "eval.json"
SAMPLES_FILE = "samples.png"

Inputs = np.ndarray | dict[str, np.ndarray]  # one image batch, or named inputs (export.inputs)


class Task:
  """What a task does with a model of its family; subclasses set the class attributes and
  define `score`, `format` and `export_check_inputs`."""

  name: str = ""  # set by `register_task`
  inputs: tuple[str, ...] = ()  # serving keys its generators take from a caller
  judges: tuple[str, ...] = ()  # judge networks `evaluate` takes, by keyword

  def evaluate(
    self, config: ml_collections.ConfigDict, model: GANModel, **judges: str | None
  ) -> dict:
    """The task's scores of `model` (JSON-serialisable); `judges` as the module docstring.
    ValueError naming the valid judges for one the task does not take."""
    unknown = sorted(set(judges) - set(self.judges))
    if unknown:
      valid = ", ".join(self.judges) or "none"
      raise ValueError(f"task {self.name!r} takes no judge {unknown[0]!r}; valid: {valid}")
    return self.score(config, model, **judges)

  def score(self, config: ml_collections.ConfigDict, model: GANModel, **judges: str | None) -> dict:
    """`evaluate` after its judges are checked."""
    raise NotImplementedError

  def format(self, result: dict) -> str:
    """A readable table of `evaluate`'s result."""
    raise NotImplementedError

  def write(self, result: dict, workdir: str) -> str:
    """`result` as WORKDIR/eval.json (atomically); returns its path."""
    return write_json_atomic(os.path.join(workdir, EVAL_FILE), result)

  def write_samples(
    self, config: ml_collections.ConfigDict, model: GANModel, workdir: str
  ) -> dict[str, str]:
    """What the model shows, written into `workdir`: {"samples": samples.png by default}."""
    return {"samples": sample_sheet(config, model, workdir)}

  def export_generators(self, model: GANModel) -> dict[str, keras.Model]:
    """The networks export writes, by name (GANModel.export_generators)."""
    return model.export_generators

  def export_check_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int
  ) -> Inputs:
    """The first `num` held-out inputs the exported `name` is checked on, as it is served."""
    raise NotImplementedError

  def export_contract(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str
  ) -> dict | None:
    """The input contract (export.contract) of the exported `name`, or None: the one export
    derives from its inputs and config.data."""
    return None

  def calibration_inputs(
    self, config: ml_collections.ConfigDict, model: GANModel, name: str, num: int, seed: int
  ) -> np.ndarray | None:
    """The int8 calibration inputs of the exported `name` ([num, ...] of its one input), or None:
    export draws training images of its input domain (export.workdir_export)."""
    return None

  def training_callbacks(
    self, config: ml_collections.ConfigDict, model: GANModel, workdir: str
  ) -> list:
    """Keras callbacks the task adds to a training run of `model` in `workdir` (synthesis: FID
    every config.eval.every_kimg, best checkpoint kept); training.train's `task_callbacks`."""
    return []

  def check_feeds(self, command: str, given: tuple[str, ...]) -> None:
    """ValueError unless `command`, which feeds the serving keys `given`, gives every input
    this task's generators take."""
    missing = [key for key in self.inputs if key not in given]
    if missing:
      raise ValueError(
        f"{command} feeds {', '.join(map(repr, given))} only; the generators of task "
        f"{self.name!r} take {', '.join(map(repr, self.inputs))}, "
        f"{', '.join(map(repr, missing))} missing (export the model and call its SavedModel with "
        "every input, docs/serving.md)"
      )


TASKS: Registry[Task] = Registry("task")


def register_task(name: str) -> Callable[[type[Task]], type[Task]]:
  """Class decorator registering an instance of a Task subclass under `name`."""

  def decorator(cls: type[Task]) -> type[Task]:
    task = cls()
    task.name = name
    TASKS.add(name, task)
    return cls

  return decorator


def task_of(model: GANModel) -> Task:
  """The task `model` declares (its class attribute `task`); ValueError naming the model's class
  and the valid tasks when it declares none or an unknown one."""
  name = getattr(model, "task", None)
  if name is None:
    raise ValueError(
      f"model {type(model).__name__} declares no task (class attribute `task`); "
      f"valid: {', '.join(TASKS.names())}"
    )
  return TASKS.get(name)


def test_count(
  config: ml_collections.ConfigDict,
  requested: int,
  data_config: ml_collections.ConfigDict | None = None,
  what: str = "eval.num_images",
) -> int:
  """min(`requested`, the examples of the test split of `data_config` (default config.data)),
  with a warning naming both when the split is the smaller: evaluation and export checks use the
  test images there are."""
  available = data.epoch_size(config.data if data_config is None else data_config, "test")
  if requested > available:
    logging.warning(
      "%s is %d but the test split has %d examples: using %d", what, requested, available, available
    )
    print(f"note: {what} = {requested}, but the test split has {available}: using {available}")
  return min(requested, available)


def sample_sheet(config: ml_collections.ConfigDict, model: GANModel, workdir: str) -> str:
  """WORKDIR/samples.png: the grids of `display_images` of the held-out display batch side by
  side, one row per example; returns its path."""
  grids = model.display_images(*training.display_batch(config)).values()
  sheet = np.concatenate([image_utils.grid(columns) for columns in grids], axis=1)
  return image_utils.save_png(sheet, os.path.join(workdir, SAMPLES_FILE))
