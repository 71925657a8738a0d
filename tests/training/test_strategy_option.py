"""train.strategy (README options table): auto / mirrored / default -> the tf.distribute strategy.

The real MirroredStrategy is built in a child process: a second one in the test session would
restart the collective keys of the session's `two_replicas` strategy (tests/conftest.py).
"""

import json
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

from configs import common
from tfgan_repro.training import run

_CHILD = textwrap.dedent(
  """
  import json
  import tensorflow as tf
  cpu = tf.config.list_physical_devices("CPU")[0]
  tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
  tf.config.set_visible_devices([], "GPU")
  from tfgan_repro.training import run
  out = {}
  for name in ("auto", "mirrored", "default"):
    s = run.make_strategy(name)
    devices = s.extended.worker_devices if name == "mirrored" else []
    out[name] = [type(s).__name__, s.num_replicas_in_sync, list(devices)]
  print(json.dumps(out))
  """
)


def test_each_name_gives_its_strategy_class_and_replicas():
  # No GPU, two logical CPUs: auto and default are the one-device default strategy, mirrored
  # mirrors over both CPUs.
  done = subprocess.run(
    [sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=300, check=True
  )
  got = json.loads(done.stdout.strip().splitlines()[-1])
  assert got["mirrored"][:2] == ["MirroredStrategy", 2]
  assert [d.split("/")[-1] for d in got["mirrored"][2]] == ["device:CPU:0", "device:CPU:1"]
  assert got["default"][:2] == ["_DefaultDistributionStrategy", 1]
  assert got["auto"][:2] == ["_DefaultDistributionStrategy", 1]


def test_default_is_the_ambient_default_strategy():
  strategy = run.make_strategy("default")
  assert strategy is tf.distribute.get_strategy()
  assert strategy.num_replicas_in_sync == 1


def test_auto_with_a_gpu_is_mirrored_over_the_visible_devices(monkeypatch):
  # make_strategy sees one (pretended) GPU; the MirroredStrategy it builds is recorded, not built.
  real = tf.config.list_logical_devices
  built = []

  def one_gpu(device_type=None):
    if device_type == "GPU":
      return [tf.config.LogicalDevice("/device:GPU:0", "GPU")]
    return real(device_type)

  monkeypatch.setattr(tf.config, "list_logical_devices", one_gpu)
  monkeypatch.setattr(tf.distribute, "MirroredStrategy", lambda *a, **k: built.append((a, k)))
  run.make_strategy("auto")
  assert built == [((), {})]  # no device list: every visible GPU
  run.make_strategy("default")
  assert len(built) == 1


def test_unknown_strategy_names_the_valid_ones():
  with pytest.raises(
    ValueError,
    match=r"config.train.strategy must be one of \('auto', 'mirrored', 'default'\), got 'tpu'",
  ):
    run.make_strategy("tpu")


def test_config_default_is_auto():
  assert common.train_config().strategy == "auto"
