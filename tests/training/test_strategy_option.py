"""train.strategy (README options table): auto / mirrored / default / multi_worker / tpu -> the
tf.distribute strategy; which process is the chief.

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
from tfgan_repro.training import distributed, run

_CHILD = textwrap.dedent(
  """
  import json
  import tensorflow as tf
  cpu = tf.config.list_physical_devices("CPU")[0]
  tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
  tf.config.set_visible_devices([], "GPU")
  from tfgan_repro.training import distributed, run
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
    match=r"config.train.strategy must be one of \('auto', 'mirrored', 'default', 'multi_worker', "
    r"'tpu'\), got 'gpu'",
  ):
    run.make_strategy("gpu")


def test_tpu_resolves_connects_initialises_then_builds_tpu_strategy(monkeypatch):
  # No TPU here: each TF call of the TPU guide's sequence is recorded in order, not made.
  calls = []
  resolver = object()

  def record(name, result=None):
    return lambda *a, **k: calls.append((name, a, k)) or result

  monkeypatch.setattr(
    tf.distribute.cluster_resolver, "TPUClusterResolver", record("resolver", resolver)
  )
  monkeypatch.setattr(tf.config, "experimental_connect_to_cluster", record("connect"))
  monkeypatch.setattr(tf.tpu.experimental, "initialize_tpu_system", record("initialize"))
  monkeypatch.setattr(tf.distribute, "TPUStrategy", record("strategy", "tpu strategy"))
  assert run.make_strategy("tpu", tpu="grpc://10.0.0.2:8470") == "tpu strategy"
  assert calls == [
    ("resolver", (), {"tpu": "grpc://10.0.0.2:8470"}),
    ("connect", (resolver,), {}),
    ("initialize", (resolver,), {}),
    ("strategy", (resolver,), {}),
  ]


class _Cluster:
  """What is_chief reads of a strategy: its cluster resolver."""

  def __init__(self, jobs, task_type, task_id):
    spec = tf.train.ClusterSpec(jobs)
    self.cluster_resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
      spec, task_type=task_type, task_id=task_id
    )


@pytest.mark.parametrize(
  ("jobs", "task_type", "task_id", "chief"),
  [
    ({"worker": ["a:1", "b:1"]}, "worker", 0, True),  # no chief task: worker 0 is the chief
    ({"worker": ["a:1", "b:1"]}, "worker", 1, False),
    ({"chief": ["c:1"], "worker": ["a:1"]}, "chief", 0, True),
    ({"chief": ["c:1"], "worker": ["a:1"]}, "worker", 0, False),
    ({"chief": ["c:1"], "worker": ["a:1"], "evaluator": ["e:1"]}, "evaluator", 0, False),
  ],
)
def test_is_chief_follows_the_tf_config_roles(jobs, task_type, task_id, chief):
  assert distributed.is_chief(_Cluster(jobs, task_type, task_id)) is chief


def test_is_chief_without_a_cluster():
  assert distributed.is_chief(tf.distribute.get_strategy()) is True


def test_config_tpu_default_is_the_auto_resolver_and_no_collective_timeout():
  assert common.train_config().tpu == ""
  assert common.train_config().collective_timeout == 0


def test_config_default_is_auto():
  assert common.train_config().strategy == "auto"
