"""The NaN/Inf guard checks everything a checkpoint holds (nets with their batch-norm statistics,
optimizer slots, image pools, EMA copies, step) before each save, stops the run naming the
variable, and keeps the last good checkpoint."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

from configs import cyclegan, dcgan
from tfgan_repro.training import callbacks, checkpointing, run


def _poison(variable) -> None:
  value = np.array(variable.numpy(), dtype=np.float32)
  value.reshape(-1)[0] = np.nan
  variable.assign(value)


def test_guard_covers_every_variable_a_checkpoint_holds(tmp_path):
  config = dcgan.get_config("tiny")  # batch norm in G and D
  config.ema.decay = 0.999  # an EMA copy of G
  trainer = run.build_trainer(config, tf.distribute.get_strategy(), steps_per_epoch=4)
  items = trainer.checkpoint_items()
  assert "ema_G" in items
  path = checkpointing.Checkpointer(items, str(tmp_path)).save()
  saved = {n for n, _ in tf.train.list_variables(path) if n != "_CHECKPOINTABLE_OBJECT_GRAPH"}
  saved.discard("save_counter/.ATTRIBUTES/VARIABLE_VALUE")
  assert len(checkpointing.state_variables(items)) == len(saved)
  assert checkpointing.nonfinite_state(items) == []
  names = dict(checkpointing.state_variables(items))
  moving = next(n for n in names if n.startswith("model/") and "moving_variance" in n)
  ema = next(n for n in names if n.startswith("ema_G/"))
  _poison(names[moving])
  names[ema].assign(tf.fill(names[ema].shape, np.inf))
  assert checkpointing.nonfinite_state(items) == sorted([moving, ema], key=list(names).index)


def _tiny(max_steps: int):
  config = cyclegan.get_config("tiny")  # 8 steps per epoch, a checkpoint every 4
  config.export.enabled = False
  config.train.max_steps = max_steps
  return config


@pytest.mark.parametrize(
  "target",
  [
    lambda items: items["optimizer_G"].variables[1],  # Adam's first moment of a G weight
    lambda items: items["model"].pool_A.images,  # CycleGAN's image pool of fake A
  ],
  ids=["optimizer_slot", "image_pool"],
)
def test_poisoned_state_stops_the_run_naming_it_and_keeps_the_good_checkpoint(
  target, tmp_path, monkeypatch
):
  workdir = str(tmp_path)
  save = checkpointing.Checkpointer.save
  poisoned = []

  def poison_then_save(self):
    if int(self.step.numpy()) == 8:
      variable = target(self.items)
      _poison(variable)
      poisoned.append(variable.path)
    return save(self)

  monkeypatch.setattr(checkpointing.Checkpointer, "save", poison_then_save)
  with pytest.raises(callbacks.NonFiniteLossError) as error:
    run.train(_tiny(8), workdir)
  message = str(error.value)
  assert "at step 8 in " in message and poisoned[0] in message
  assert message.endswith("ckpt-4")  # the last good checkpoint, named
  directory = os.path.join(workdir, "checkpoints")
  assert tf.train.latest_checkpoint(directory).endswith("ckpt-4")
  assert not any(name.startswith("ckpt-8") for name in os.listdir(directory))
  assert checkpointing.checkpoint_problem(os.path.join(directory, "ckpt-4")) is None
