"""Training speed: images/s, ms/step, training FLOPs per step, matmul peak and MFU."""

from __future__ import annotations

import statistics
import time

import ml_collections
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.training import run


def matmul_peak_flops(n: int = 1024, repeats: int = 20) -> float:
  """Float32 FLOP/s of an n x n matmul on this machine (2 n^3 FLOPs each), best of `repeats`."""
  a = tf.random.stateless_normal([n, n], seed=[0, 1])
  b = tf.random.stateless_normal([n, n], seed=[0, 2])
  matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
  matmul(a, b).numpy()  # warm-up (trace)
  best = float("inf")
  for _ in range(repeats):
    start = time.perf_counter()
    matmul(a, b).numpy()
    best = min(best, time.perf_counter() - start)
  return 2.0 * n**3 / best


def graph_flops(fn: tf.types.experimental.ConcreteFunction) -> int:
  """FLOPs of a traced graph as counted by the TF profiler (2 per multiply-add)."""
  opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
  opts["output"] = "none"
  return int(tf.compat.v1.profiler.profile(fn.graph, options=opts).total_float_ops)


def train_step_flops(model, batch: tuple[tf.Tensor, ...]) -> int:
  """Forward + backward + update FLOPs of one `train_step` on `batch` (static shapes)."""
  specs = [tf.TensorSpec(t.shape, t.dtype) for t in batch]
  return graph_flops(
    tf.function(lambda *b: model.train_step(tuple(b))).get_concrete_function(*specs)
  )


def benchmark(
  config: ml_collections.ConfigDict, *, steps: int = 10, warmup: int = 3, jit_compile: bool = False
) -> dict:
  """Times `steps` training steps (after `warmup`) of `config`'s model through fit's train function."""
  config = ml_collections.ConfigDict(config.to_dict())
  config.train.jit_compile = jit_compile
  strategy = run.make_strategy(config.train.strategy)
  model = run.build_compiled(config, strategy, steps_per_epoch=1000)
  dataset = data.unpaired_dataset(
    config.data, "train", config.batch_size, training=True, seed=config.seed
  )
  batch = next(iter(dataset))
  flops = train_step_flops(model, batch)
  # A cached batch: the step never waits on the input pipeline while it is timed.
  iterator = iter(tf.data.Dataset.from_tensors(batch).repeat())
  model.make_train_function()
  train_function = model.train_function
  times = []
  for i in range(warmup + steps):
    start = time.perf_counter()
    logs = train_function(iterator)
    float(next(iter(logs.values())))  # wait for the step to finish
    if i >= warmup:
      times.append(time.perf_counter() - start)
  peak = matmul_peak_flops()
  median = statistics.median(times)
  return {
    "image_size": config.data.crop_size,
    "generator": config.generator.name,
    "batch_size": config.batch_size,
    "jit_compile": jit_compile,
    "ms_per_step": 1000.0 * median,
    "images_per_s": config.batch_size / median,
    "train_gflop_per_step": flops / 1e9,
    "matmul_peak_gflops": peak / 1e9,
    "mfu": flops / median / peak,
  }


def format_bench(results: list[dict]) -> str:
  head = f"{'size':>5} {'G':>9} {'batch':>5} {'XLA':>5} {'ms/step':>9} {'img/s':>7} {'GFLOP/step':>10} {'peak GFLOP/s':>12} {'MFU':>6}"
  rows = [
    f"{r['image_size']:>5} {r['generator']:>9} {r['batch_size']:>5} {str(r['jit_compile']):>5} {r['ms_per_step']:9.1f} "
    f"{r['images_per_s']:7.2f} {r['train_gflop_per_step']:10.2f} {r['matmul_peak_gflops']:12.1f} {r['mfu']:6.1%}"
    for r in results
  ]
  return "\n".join([head, *rows])
