"""StarGAN against the official code in PyTorch (torch_reference/stargan.py, yunjey/stargan
model.py and solver.py): the reference nets have the official counts and compute our nets'
outputs from our weights; three training iterations with n_critic 2 (D, D + G, D) on the same
batches and random draws log the official losses."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch  # the test extra (pyproject.toml)

from configs import stargan as stargan_configs  # noqa: E402
from tfgan_repro import models  # noqa: E402
from tfgan_repro.models import stargan  # noqa: E402
from tfgan_repro.torch_reference import stargan as reference  # noqa: E402
from tfgan_repro.torch_reference.keras_weights import copy_keras_weights  # noqa: E402
from tfgan_repro.training.trainer import Trainer  # noqa: E402

# ours -> official Solver.train() loss names
OFFICIAL_NAMES = {
  "D_real": "D/loss_real",
  "D_fake": "D/loss_fake",
  "D_cls": "D/loss_cls",
  "D_gp": "D/loss_gp",
  "G_fake": "G/loss_fake",
  "G_rec": "G/loss_rec",
  "G_cls": "G/loss_cls",
}
# Measured here (3 iterations, 16 px, batch 4): relative differences <= 1.9e-6, except D/loss_real
# and D/loss_fake, means of logits near 0 (~1e-3): up to 1.1e-5 relative, 2.7e-8 absolute; every
# absolute difference <= 6e-8 but G/loss_cls's 4.8e-7 (of 2.8). A reference with lambda_gp 9 gives
# 4e-4 to 1.7e-3 relative (6e-7 to 1.9e-6 absolute) on D_real, D_fake and G_fake from iteration 1.
RTOL, ATOL = 1e-5, 1e-7


def _count(net: torch.nn.Module) -> int:
  return sum(p.numel() for p in net.parameters())


def _nchw(x: np.ndarray | tf.Tensor) -> torch.Tensor:
  return torch.from_numpy(np.ascontiguousarray(np.asarray(x).transpose(0, 3, 1, 2)))


def test_reference_nets_have_the_official_celeba_counts():
  assert _count(reference.Generator()) == 8_430_528  # --g_conv_dim 64 --c_dim 5 --g_repeat_num 6
  assert _count(reference.Discriminator()) == 44_762_048  # --image_size 128 --d_repeat_num 6
  src, cls = reference.Discriminator()(torch.zeros(1, 3, 128, 128))
  assert tuple(src.shape) == (1, 1, 2, 2) and tuple(cls.shape) == (1, 5)


def _pair(n_critic: int = 2, batch: int = 4, lambda_gp: float = 10.0):
  """Our tiny StarGAN in its Trainer and the official Solver over copies of its weights
  (reference lambda_gp: `lambda_gp`)."""
  config = stargan_configs.get_config("tiny")
  config.train.n_critic, config.batch_size = n_critic, batch
  keras.utils.set_random_seed(0)
  model = models.build_model(config)
  trainer = Trainer(model, steps_per_epoch=1000)  # lr constant over these steps
  trainer.compile()
  g, d = config.generator, config.discriminator
  c_dim, size = len(model.attribute_names), config.data.crop_size
  G = reference.Generator(g.conv_dim, c_dim, g.repeat_num)
  D = reference.Discriminator(size, d.conv_dim, c_dim, d.repeat_num)
  copy_keras_weights(model.G, G)
  copy_keras_weights(model.D, D, last=("src", "cls"))  # official conv1 (D_src) before conv2
  opt = model.optimizer_settings
  solver = reference.Solver(
    G=G,
    D=D,
    lambda_cls=model.lambda_cls,
    lambda_rec=model.lambda_rec,
    lambda_gp=lambda_gp,
    n_critic=n_critic,
    g_lr=opt.lr,
    d_lr=opt.lr,
    beta1=opt.beta_1,
    beta2=opt.beta_2,
  )
  return config, trainer, solver


def _batch(config, seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
  rng = np.random.default_rng(seed)
  size = config.data.crop_size
  images = rng.uniform(-1, 1, (n, size, size, 3)).astype(np.float32)
  return images, rng.integers(0, 2, (n, 4)).astype(np.float32)


def test_reference_nets_compute_ours_from_our_weights():
  config, trainer, solver = _pair()
  model = trainer.model
  images, labels = _batch(config, seed=0, n=4)
  ours = model.G([images, labels], training=True).numpy()
  theirs = solver.G(_nchw(images), torch.from_numpy(labels)).detach().numpy()
  np.testing.assert_allclose(ours, theirs.transpose(0, 2, 3, 1), atol=1e-5)
  for mine, official in zip(model.D(images, training=True), solver.D(_nchw(images)), strict=True):
    official = official.detach().numpy()
    official = official.transpose(0, 2, 3, 1) if official.ndim == 4 else official
    np.testing.assert_allclose(mine.numpy(), official, atol=1e-5)


def _step_losses(lambda_gp: float) -> list[tuple[dict, dict]]:
  """(our logs, official loss dict) of iterations 0, 1 (a G step: (1 + 1) % 2 == 0) and 2."""
  config, trainer, solver = _pair(lambda_gp=lambda_gp)
  model = trainer.model
  n = config.batch_size
  steps = []
  for i in range(3):
    images, labels = _batch(config, seed=10 + i, n=n)
    step = tf.constant(i, tf.int64)
    # Our random draws of step i, given to the official iteration: torch.randperm(N) and
    # torch.rand(N, 1, 1, 1).
    order = tf.argsort(model._global_uniform([n], step, stargan._TARGET_SALT)).numpy()
    alpha = model._alpha(tf.constant(n), step).numpy()
    np.testing.assert_array_equal(model.target_labels(tf.constant(labels), step), labels[order])
    trainer.reset_metrics()
    logs = trainer.train_step((tf.constant(images), tf.constant(labels)))
    official = solver.train_iteration(
      i, _nchw(images), torch.from_numpy(labels), torch.from_numpy(order), torch.from_numpy(alpha)
    )
    steps.append(({k: float(v) for k, v in logs.items()}, official))
  return steps


def _assert_official_losses(steps: list[tuple[dict, dict]]) -> None:
  for i, (ours, official) in enumerate(steps):
    assert set(official) == {OFFICIAL_NAMES[k] for k in stargan.LOSS_NAMES[: 7 if i == 1 else 4]}
    for name, official_name in OFFICIAL_NAMES.items():
      if official_name in official:
        np.testing.assert_allclose(
          ours[name], official[official_name], rtol=RTOL, atol=ATOL, err_msg=f"{name} step {i}"
        )


def test_three_iterations_log_the_official_losses():
  _assert_official_losses(_step_losses(lambda_gp=10.0))


def test_the_comparison_sees_a_wrong_lambda_gp():
  # The official lambda_gp is 10; at 9 the reference's D takes another step, and the next
  # iterations' losses (on D's updated weights) leave the tolerance.
  with pytest.raises(AssertionError, match="step 1"):
    _assert_official_losses(_step_losses(lambda_gp=9.0))
