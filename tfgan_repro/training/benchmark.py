"""Training speed: images/s, ms/step, training FLOPs per step, matmul peak and MFU; side by side
with the official PyTorch step of the same architecture (`compare_torch`); the input pipeline's
images/s against the step's (`input_throughput`)."""

from __future__ import annotations

import os
import statistics

import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_repro import data
from tfgan_repro.nets.biggan import attention_resolutions
from tfgan_repro.training import precision as precision_lib
from tfgan_repro.training import run
from tfgan_repro.util import timing


def matmul_peak_flops(n: int = 1024, repeats: int = 20) -> float:
  """Float32 FLOP/s of an n x n TF matmul on this machine (2 n^3 FLOPs each), best of `repeats`."""
  a = tf.random.stateless_normal([n, n], seed=[0, 1])
  b = tf.random.stateless_normal([n, n], seed=[0, 2])
  matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
  return 2.0 * n**3 / timing.best_s(lambda: matmul(a, b).numpy(), repeats)


def graph_flops(fn: tf.types.experimental.ConcreteFunction) -> int:
  """FLOPs of a traced graph as counted by the TF profiler (2 per multiply-add)."""
  opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
  opts["output"] = "none"
  return int(tf.compat.v1.profiler.profile(fn.graph, options=opts).total_float_ops)


def train_step_flops(model, batch: tuple[tf.Tensor, ...]) -> int:
  """Forward + backward + update FLOPs of one `train_step` on `batch` (static shapes; a tuple of
  tensors or one tensor)."""
  specs = [tf.TensorSpec(t.shape, t.dtype) for t in tf.nest.flatten(batch)]
  return graph_flops(
    tf.function(lambda *b: model.train_step(tuple(b))).get_concrete_function(*specs)
  )


class KerasStep:
  """One training step of `config`'s model (its Trainer) through fit's train function, on a
  cached batch (the step never waits on the input pipeline) or, with `pipeline=True`, on the
  real training input. precision: config.train.precision to build it with (None: the config's)."""

  def __init__(
    self,
    config: ml_collections.ConfigDict,
    jit_compile: bool = False,
    precision: str | None = None,
  ):
    config = ml_collections.ConfigDict(config.to_dict())
    config.train.jit_compile = jit_compile
    if precision is not None:
      config.train.precision = precision_lib.check_precision(precision)
    self.config = config
    self.trainer = run.build_trainer(config, run.make_strategy(config.train.strategy), 1000)
    self.model = self.trainer.model
    # One pass over the input: its first batch (which fills the shuffle buffer) is the cached one.
    sampler = self.trainer.contract.sampler
    self._pipeline = iter(run.train_dataset(config, sampler, seed=config.seed))
    self.batch = next(self._pipeline)
    self._cached = iter(tf.data.Dataset.from_tensors(self.batch).repeat())
    self.trainer.make_train_function()

  def __call__(self, pipeline: bool = False) -> None:
    logs = self.trainer.train_function(self._pipeline if pipeline else self._cached)
    float(next(iter(logs.values())))  # wait for the step to finish

  def flops(self) -> int:
    return train_step_flops(self.trainer, self.batch)

  def num_parameters(self) -> int:
    return int(sum(np.prod(v.shape) for v in self.model.trainable_variables))


def benchmark(
  config: ml_collections.ConfigDict,
  *,
  steps: int = 10,
  warmup: int = 3,
  jit_compile: bool = False,
  profile_dir: str | None = None,
  precision: str | None = None,
) -> dict:
  """Times `steps` training steps (after `warmup`) of `config`'s model through fit's train function.

  profile_dir: also writes a TensorBoard profiler trace of two more steps there (Profile tab).
  precision: config.train.precision to time (None: the config's). MFU is against the float32
  matmul peak whatever the precision.
  """
  step = KerasStep(config, jit_compile, precision)
  flops = step.flops()
  times = timing.call_times_s(step, steps, warmup)
  if profile_dir:
    with tf.profiler.experimental.Profile(profile_dir):
      for _ in range(2):
        step()
  peak = matmul_peak_flops()
  median = statistics.median(times)
  return {
    **_describe(step.config),
    "jit_compile": jit_compile,
    "precision": step.config.train.get("precision", "float32"),
    "ms_per_step": 1000.0 * median,
    "images_per_s": step.config.batch_size / median,
    "train_gflop_per_step": flops / 1e9,
    "matmul_peak_gflops": peak / 1e9,
    "mfu": flops / median / peak,
  }


def benchmark_precisions(
  config: ml_collections.ConfigDict, precisions: list[str], **kwargs
) -> list[dict]:
  """`benchmark` of `config` at each of `precisions` (config.train.precision values, all
  checked before any is timed), in order; kwargs: benchmark's."""
  for name in precisions:
    precision_lib.check_precision(name)
  return [benchmark(config, precision=name, **kwargs) for name in precisions]


def _describe(config: ml_collections.ConfigDict) -> dict:
  return {
    "model": config.model,
    "image_size": config.data.crop_size,
    "generator": config.generator.name,
    "batch_size": config.batch_size,
  }


def format_bench(results: list[dict]) -> str:
  """One row per result; "x fp32": its step time over the float32 row's at the same XLA setting
  ("-" without one)."""
  float32 = {r["jit_compile"]: r["ms_per_step"] for r in results if r["precision"] == "float32"}
  head = f"{'size':>5} {'G':>9} {'batch':>5} {'XLA':>5} {'precision':>14} {'ms/step':>9} {'x fp32':>6} {'img/s':>7} {'GFLOP/step':>10} {'peak GFLOP/s':>12} {'MFU':>6}"
  rows = []
  for r in results:
    base = float32.get(r["jit_compile"])
    ratio = f"{r['ms_per_step'] / base:6.2f}" if base else f"{'-':>6}"
    rows.append(
      f"{r['image_size']:>5} {r['generator']:>9} {r['batch_size']:>5} {str(r['jit_compile']):>5} "
      f"{r['precision']:>14} {r['ms_per_step']:9.1f} {ratio} {r['images_per_s']:7.2f} "
      f"{r['train_gflop_per_step']:10.2f} {r['matmul_peak_gflops']:12.1f} {r['mfu']:6.1%}"
    )
  return "\n".join([head, *rows])


# --- Side by side with the official PyTorch step ----------------------------------------------


def _refuse(model: str, required: str, unsupported: dict[str, bool]) -> None:
  bad = [k for k, v in unsupported.items() if v]
  if bad:
    raise ValueError(
      f"the PyTorch counterpart is the official {model} ({required}); "
      f"config.{'/'.join(bad)} differs"
    )


def _torch_cycle_gan(config: ml_collections.ConfigDict, input_nc: int):
  """The official CycleGANModel at `config`'s architecture, losses and optimizer settings."""
  from tfgan_repro.torch_reference import cycle_gan

  blocks = {"resnet_9": 9, "resnet_6": 6}  # official --netG resnet_9blocks / resnet_6blocks
  g, d, loss = config.generator, config.discriminator, config.loss
  unsupported = {
    "generator": g.name not in blocks or g.norm != "instance" or g.upsample != "transpose",
    "discriminator": d.name != "patch" or d.norm != "instance",
    "loss": loss.gan_mode != "lsgan" or loss.d_noise_std > 0,
    "data": input_nc != 3,
  }
  required = "resnet_6/9 G, instance norm, transposed convs, patch D, lsgan, no instance noise"
  _refuse("CycleGAN", required, unsupported)
  return cycle_gan.CycleGANModel(
    n_blocks=blocks[g.name],
    ngf=g.ngf,
    ndf=d.ndf,
    n_layers_d=d.n_layers,
    lambda_a=loss.lambda_a,
    lambda_b=loss.lambda_b,
    lambda_identity=loss.lambda_identity,
    lr=config.optimizer.lr,
    beta1=config.optimizer.beta1,
    pool_size=config.train.pool_size,
  )


def _torch_pix2pix(config: ml_collections.ConfigDict, input_nc: int):
  """The official Pix2PixModel at `config`'s architecture, losses and optimizer settings."""
  from tfgan_repro.torch_reference import pix2pix

  downs = {"unet_256": 8, "unet_128": 7}  # official --netG unet_256 / unet_128
  g, d, loss = config.generator, config.discriminator, config.loss
  unsupported = {
    "generator": g.name not in downs or g.norm != "batch" or g.dropout not in (0.0, 0.5),
    "discriminator": d.name != "patch" or d.norm != "batch",
    "loss": loss.gan_mode != "vanilla",
  }
  _refuse(
    "pix2pix", "unet_128/256 G, batch norm, dropout 0.5 or none, patch D, vanilla", unsupported
  )
  return pix2pix.Pix2PixModel(
    input_nc=input_nc,
    num_downs=downs[g.name],
    ngf=g.ngf,
    ndf=d.ndf,
    n_layers_d=d.n_layers,
    use_dropout=g.dropout > 0,
    lambda_l1=loss.lambda_l1,
    lr=config.optimizer.lr,
    beta1=config.optimizer.beta1,
  )


def _regularised(loss: ml_collections.ConfigDict) -> bool:
  """Whether D has a penalty, weight clipping or an augmentation on (none of the official
  counterparts has one)."""
  return bool(
    loss.r1_gamma
    or loss.r2_gamma
    or loss.gp_lambda
    or loss.clip_value
    or loss.diff_augment
    or loss.get("ada_target", 0.0)
    or loss.get("ada_p", 0.0)
  )


def _torch_dcgan(config: ml_collections.ConfigDict, input_nc: int):
  """The official pytorch/examples DCGAN at `config`'s widths, size, z and optimizer settings."""
  from tfgan_repro.torch_reference import dcgan

  g, d, loss, opt = config.generator, config.discriminator, config.loss, config.optimizer
  regularised = _regularised(loss)
  unsupported = {
    "generator": g.name != "dcgan_generator" or g.norm != "batch",
    "discriminator": d.name != "dcgan_discriminator" or d.norm != "batch",
    "loss": loss.gan_mode != "nonsaturating"
    or loss.real_label != 1.0
    or loss.instance_noise_std > 0
    or bool(regularised),
    "latent": config.latent.distribution != "normal",
    "optimizer": opt.get("name", "adam") != "adam"
    or opt.beta2 != 0.999
    or (opt.get("g_lr", 0.0) or opt.lr) != opt.lr
    or (opt.get("d_lr", 0.0) or opt.lr) != opt.lr,
    "train": config.train.n_critic != 1,
    "ema": bool(config.ema.decay or config.ema.half_life_kimg),
  }
  required = (
    "DCGAN nets with batch norm, nonsaturating BCE with real label 1, no regulariser or "
    "augmentation, normal z, "
    "one Adam rate with beta2 0.999, n_critic 1, no EMA"
  )
  _refuse("DCGAN", required, unsupported)
  return dcgan.DCGANModel(
    nz=g.nz,
    ngf=g.ngf,
    ndf=d.ndf,
    nc=input_nc,
    image_size=config.data.crop_size,
    lr=opt.lr,
    beta1=opt.beta1,
  )


def _torch_stylegan2(config: ml_collections.ConfigDict, input_nc: int):
  """The official stylegan2-ada-pytorch G, 'resnet' D, StyleGAN2Loss and training-loop phases
  (lazy Adam, G EMA by half-life) at `config`'s architecture, losses and optimizer settings (the
  initial rate: a rate decay, n_epochs_decay, is not reproduced, as for DCGAN)."""
  from tfgan_repro.torch_reference import stylegan2_training

  g, d = config.generator, config.discriminator
  loss, opt, ema = config.loss, config.optimizer, config.ema
  unsupported = {
    "generator": g.name != "stylegan2_generator" or g.noise_mode not in ("random", "const"),
    "discriminator": d.name != "stylegan2_discriminator",
    "loss": loss.gan_mode != "nonsaturating"
    or loss.instance_noise_std > 0
    or bool(loss.diff_augment or loss.get("ada_target", 0.0) or loss.get("ada_p", 0.0)),
    "latent": config.latent.distribution != "normal",
    "optimizer": opt.get("name", "adam") != "adam",
    "ema": bool(ema.decay) or ema.start_step > 0,
  }
  required = (
    "StyleGAN2 nets with random or stored noise, the nonsaturating logistic loss, no "
    "augmentation or instance noise, normal z, Adam, EMA by half-life only"
  )
  _refuse("StyleGAN2", required, unsupported)
  size = config.data.crop_size
  return stylegan2_training.StyleGAN2Model(
    generator={
      "z_dim": g.z_dim,
      "w_dim": g.w_dim,
      "img_resolution": size,
      "img_channels": input_nc,
      "channel_base": g.channel_base,
      "channel_max": g.channel_max,
      "num_layers": g.mapping_layers,
      "lr_multiplier": g.get("mapping_lr_multiplier", 0.01),  # official lr_multiplier=0.01
    },
    discriminator={
      "img_resolution": size,
      "img_channels": input_nc,
      "channel_base": d.channel_base,
      "channel_max": d.channel_max,
      "mbstd_group_size": d.mbstd_group_size,
      "mbstd_num_channels": d.mbstd_num_channels,
    },
    batch_size=config.batch_size,
    r1_gamma=loss.r1_gamma,
    pl_weight=loss.pl_weight,
    pl_decay=loss.pl_decay,
    pl_batch_shrink=loss.pl_batch_shrink,
    style_mixing_prob=loss.style_mixing_prob,
    g_reg_interval=loss.g_reg_interval,
    d_reg_interval=loss.d_reg_interval,
    lr=opt.lr,
    betas=(opt.beta1, opt.beta2),
    ema_kimg=ema.half_life_kimg,
    ema_rampup=ema.rampup or None,
    w_avg_beta=g.get("w_avg_beta", 0.995),  # official MappingNetwork w_avg_beta=0.995
    noise_mode=g.noise_mode,
  )


def _torch_biggan(config: ml_collections.ConfigDict, input_nc: int):
  """The official BigGAN-PyTorch G, D and GAN_training_function (hinge, num_D_steps, Adam, G
  EMA from ema_start) at `config`'s architecture, losses and optimizer settings (the initial
  rates: a rate decay, n_epochs_decay, is not reproduced, as for DCGAN)."""
  from tfgan_repro.models.synthesis import OPTIMIZER
  from tfgan_repro.torch_reference import biggan_training

  g, d = config.generator, config.discriminator
  loss, opt, ema = config.loss, config.optimizer, config.ema
  regularised = _regularised(loss) or loss.instance_noise_std or loss.get("ortho_reg", 0.0)
  unsupported = {
    "generator": g.name != "biggan_generator" or g.get("init", "ortho") != "ortho",
    "discriminator": d.name != "biggan_discriminator" or d.get("init", "ortho") != "ortho",
    "conditioning": config.conditioning.mode != "projection",
    "loss": loss.gan_mode != "hinge" or bool(regularised),
    "latent": config.latent.distribution != "normal",
    "optimizer": opt.get("name", "adam") != "adam",
    "ema": bool(ema.half_life_kimg),
    "data": input_nc != 3,
  }
  required = (
    "BigGAN nets with ortho init, projection, hinge without regularisers (ortho_reg 0), normal "
    "z, Adam, EMA by decay only, RGB images"
  )
  _refuse("BigGAN", required, unsupported)
  size, classes = config.data.crop_size, config.conditioning.num_classes
  eps = opt.get("epsilon", OPTIMIZER.epsilon)  # as the conditional_gan builder
  return biggan_training.BigGANModel(
    generator={
      "ch": g.ch,
      "dim_z": g.dim_z,
      "shared_dim": g.shared_dim,
      "resolution": size,
      "attention": tuple(sorted(attention_resolutions(g.attention))),
      "n_classes": classes,
      "hier": g.hier,
      "sn_eps": g.sn_epsilon,
    },
    discriminator={
      "ch": d.ch,
      "resolution": size,
      "attention": tuple(sorted(attention_resolutions(d.attention))),
      "n_classes": classes,
      "sn_eps": d.sn_epsilon,
    },
    g_lr=opt.get("g_lr", 0.0) or opt.lr,
    d_lr=opt.get("d_lr", 0.0) or opt.lr,
    betas=(opt.beta1, opt.beta2),
    adam_eps=eps,
    num_d_steps=config.train.n_critic,
    ema_decay=ema.decay or None,
    ema_start=ema.start_step,
  )


# config.model -> (config, input channels) -> the official PyTorch model of the same step.
TORCH_COUNTERPARTS = {
  "conditional_gan": _torch_biggan,
  "cycle_gan": _torch_cycle_gan,
  "dcgan": _torch_dcgan,
  "pix2pix": _torch_pix2pix,
  "stylegan2": _torch_stylegan2,
}


def _torch_matmul_peak_flops(torch, n: int = 1024, repeats: int = 20) -> float:
  a, b = torch.randn(n, n), torch.randn(n, n)
  return 2.0 * n**3 / timing.best_s(lambda: torch.matmul(a, b).sum().item(), repeats)


def compare_torch(config: ml_collections.ConfigDict, *, steps: int = 5, warmup: int = 2) -> dict:
  """Times our training step and the official PyTorch one on the same batch, alternating.

  Both see the same cached batch (NHWC for us, NCHW for torch; the latents, and BigGAN's fake
  classes, are drawn in each step on both sides, with torch.randn as the official loops) and the
  same number of threads (every core this process may use). Model FLOPs are the TF profiler's
  count of our step (the architectures are identical: the parameter counts are checked); MFU
  divides by the faster of the two matmul peaks measured here, the machine's attainable float32
  peak.
  """
  from tfgan_repro.torch_reference import require_torch

  torch = require_torch("bench --compare_torch")
  if config.model not in TORCH_COUNTERPARTS:
    raise ValueError(
      f"no PyTorch counterpart for model {config.model!r}; have {sorted(TORCH_COUNTERPARTS)}"
    )
  threads = len(os.sched_getaffinity(0))
  torch.set_num_threads(threads)
  torch.manual_seed(config.seed)
  ours = KerasStep(config)
  tensors = tf.nest.flatten(ours.batch)  # (A, B), (images, labels) or the images alone
  theirs = TORCH_COUNTERPARTS[config.model](config, int(tensors[0].shape[-1]))
  if ours.num_parameters() != theirs.num_parameters():
    raise ValueError(
      f"architectures differ: {ours.num_parameters():,} trainable parameters here, "
      f"{theirs.num_parameters():,} in the PyTorch counterpart"
    )
  batch = [  # images NHWC -> NCHW; labels as they are
    torch.from_numpy(t.numpy().transpose(0, 3, 1, 2).copy() if t.shape.rank == 4 else t.numpy())
    for t in tensors
  ]
  ours_s, theirs_s = [], []
  for _ in range(warmup + steps):
    ours_s.append(timing.elapsed_s(ours))
    theirs_s.append(timing.elapsed_s(lambda: theirs.optimize_parameters(*batch)))
  ours_s, theirs_s = ours_s[warmup:], theirs_s[warmup:]
  pipeline_s = timing.call_times_s(lambda: ours(pipeline=True), steps, warmup=1)
  flops = ours.flops()
  peaks = {"tf": matmul_peak_flops(), "torch": _torch_matmul_peak_flops(torch)}
  ours_t, theirs_t = statistics.median(ours_s), statistics.median(theirs_s)
  return {
    **_describe(ours.config),
    "parameters": ours.num_parameters(),
    "threads": threads,
    "ours_ms_per_step": 1000.0 * ours_t,
    "torch_ms_per_step": 1000.0 * theirs_t,
    "ours_images_per_s": ours.config.batch_size / ours_t,
    "torch_images_per_s": ours.config.batch_size / theirs_t,
    "ratio": theirs_t / ours_t,  # > 1: ours is faster
    "train_gflop_per_step": flops / 1e9,
    "tf_matmul_peak_gflops": peaks["tf"] / 1e9,
    "torch_matmul_peak_gflops": peaks["torch"] / 1e9,
    "ours_mfu": flops / ours_t / max(peaks.values()),
    "torch_mfu": flops / theirs_t / max(peaks.values()),
    # Share of a step fed by the real input pipeline spent waiting for data (sums of `steps`).
    "input_wait": max(0.0, 1.0 - sum(ours_s) / sum(pipeline_s)),
  }


def format_compare(results: list[dict]) -> str:
  head = (
    f"{'model':>9} {'size':>4} {'G':>15} {'params':>11} {'ours ms':>8} {'torch ms':>8} "
    f"{'ours img/s':>10} {'torch img/s':>11} {'ratio':>6} {'ours MFU':>8} {'torch MFU':>9} "
    f"{'peak tf/torch GFLOP/s':>21} {'input wait':>10}"
  )
  rows = [
    f"{r['model']:>9} {r['image_size']:>4} {r['generator']:>15} {r['parameters']:>11,} "
    f"{r['ours_ms_per_step']:8.0f} {r['torch_ms_per_step']:8.0f} {r['ours_images_per_s']:10.3f} "
    f"{r['torch_images_per_s']:11.3f} {r['ratio']:6.2f} {r['ours_mfu']:8.1%} {r['torch_mfu']:9.1%} "
    f"{r['tf_matmul_peak_gflops']:10.1f}/{r['torch_matmul_peak_gflops']:<10.1f} {r['input_wait']:10.1%}"
    for r in results
  ]
  return "\n".join([head, *rows])


# --- The input pipeline against the step ------------------------------------------------------


def input_throughput(
  config: ml_collections.ConfigDict, *, steps: int = 10, warmup: int = 3, batches: int = 200
) -> dict:
  """Images/s (batch_size images a step) of `config`'s training input alone against its training
  step's, and how long the step waits for its next batch.

  The input: make_dataset's training batches pulled with nothing else running, `batches` of them
  after `warmup` (which fill the shuffle buffer). The step: fit's train function on a cached batch
  (compute alone). The wait: after each of `steps` steps, the time to take the next batch from
  the training input, which its prefetching threads fill while the step runs, beside the time to
  take one from an in-memory dataset of the cached batch (the floor: no waiting at all).
  """
  if isinstance(batches, bool) or not isinstance(batches, int) or batches < 1:
    raise ValueError(f"batches must be a positive int, got {batches!r}")
  stream = iter(
    data.make_dataset(config.data, "train", config.batch_size, training=True, seed=config.seed)
  )
  for _ in range(warmup):
    next(stream)
  input_s = timing.elapsed_s(lambda: [next(stream) for _ in range(batches)])
  stream = None  # its prefetching threads stop before the step is timed
  step = KerasStep(config)
  times, waits, floors = [], [], []
  for i in range(warmup + steps):
    elapsed = timing.elapsed_s(step)
    wait = timing.elapsed_s(lambda: next(step._pipeline))
    floor = timing.elapsed_s(lambda: next(step._cached))
    if i >= warmup:
      times.append(elapsed)
      waits.append(wait)
      floors.append(floor)
  size = config.batch_size
  return {
    **_describe(step.config),
    "source": config.data.source,
    "cache": bool(config.data.cache),
    "input_images_per_s": size * batches / input_s,
    "step_images_per_s": size / statistics.median(times),
    "step_ms": 1000.0 * statistics.median(times),
    "wait_ms_mean": 1000.0 * statistics.mean(waits),
    "wait_ms_max": 1000.0 * max(waits),
    "floor_ms_mean": 1000.0 * statistics.mean(floors),
    "floor_ms_max": 1000.0 * max(floors),
  }


def format_input(results: list[dict]) -> str:
  head = (
    f"{'model':>9} {'size':>4} {'batch':>5} {'source':>10} {'cache':>5} {'input img/s':>11} "
    f"{'step img/s':>10} {'step ms':>8} {'wait ms mean/max':>16} {'floor ms mean/max':>17}"
  )
  rows = [
    f"{r['model']:>9} {r['image_size']:>4} {r['batch_size']:>5} {r['source']:>10} "
    f"{str(r['cache']):>5} {r['input_images_per_s']:11.1f} {r['step_images_per_s']:10.2f} "
    f"{r['step_ms']:8.1f} {r['wait_ms_mean']:8.3f}/{r['wait_ms_max']:<7.3f} "
    f"{r['floor_ms_mean']:8.3f}/{r['floor_ms_max']:<8.3f}"
    for r in results
  ]
  return "\n".join([head, *rows])
