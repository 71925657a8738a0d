"""DCGAN against the official code in PyTorch (torch_reference/dcgan.py, pytorch/examples
dcgan/main.py): the reference nets have the official counts and compute our nets' outputs from
our weights; three training iterations on the same real batches and the same z (the one our
trainer draws) log the official errD and errG."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch  # the test extra (pyproject.toml)

from configs import dcgan as dcgan_configs  # noqa: E402
from tfgan_repro import models  # noqa: E402
from tfgan_repro.models import synthesis  # noqa: E402
from tfgan_repro.torch_reference import dcgan as reference  # noqa: E402
from tfgan_repro.torch_reference.keras_weights import copy_keras_weights  # noqa: E402
from tfgan_repro.training import benchmark  # noqa: E402
from tfgan_repro.training.trainer import Trainer  # noqa: E402

# Measured here (3 iterations, the official 64 px depth at ngf = ndf = 8, nz 16, batch 8, six
# random batches): with Adam, errD / errG relative differences <= 8.7e-6 at iteration 0, up to
# 7.1e-4 at 1 and 2.9e-3 at 2. Adam's first steps are ~lr * sign(g): float noise flips the sign of
# a few small gradients (|g| ~ 1e-3 of the median; ~0.3% of G's weights after one step, each then
# 2 lr apart), which moves later losses. A reference with beta1 0.9 differs by 3.4e-2 to 3.9e-2
# on errG at iteration 1. With plain SGD (lr 0.02 on both sides) every difference is <= 2.5e-6.
RTOL_ADAM, RTOL_SGD = 1e-2, 1e-5
SIZE, NZ, WIDTH, BATCH = 64, 16, 8, 8


def _count(net: torch.nn.Module) -> int:
  return sum(p.numel() for p in net.parameters())


def _nchw(x: np.ndarray) -> torch.Tensor:
  return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def test_reference_nets_have_the_official_counts():
  assert _count(reference.Generator()) == 3_576_704  # --nz 100 --ngf 64 --imageSize 64
  assert _count(reference.Discriminator()) == 2_765_568  # --ndf 64
  assert tuple(reference.Generator()(torch.zeros(2, 100, 1, 1)).shape) == (2, 3, 64, 64)
  assert tuple(reference.Discriminator()(torch.zeros(2, 3, 64, 64)).shape) == (2,)


def _config():
  config = dcgan_configs.get_config("tiny")
  config.data.crop_size = config.data.load_size = SIZE
  config.generator.nz, config.generator.ngf, config.discriminator.ndf = NZ, WIDTH, WIDTH
  config.batch_size = BATCH
  return config


def _pair(
  beta1: float | None = None, sgd_lr: float | None = None
) -> tuple[Trainer, reference.DCGANModel]:
  """Our DCGAN in its Trainer and the official model over copies of its weights (reference
  beta1: `beta1`, else the config's; `sgd_lr`: both sides update by plain SGD instead of Adam)."""
  config = _config()
  if sgd_lr is not None:
    config.optimizer.name, config.optimizer.lr = "sgd", sgd_lr
  keras.utils.set_random_seed(0)
  model = models.build_model(config)
  trainer = Trainer(model, steps_per_epoch=1000)  # lr constant over these steps
  trainer.compile()
  if beta1 is None and sgd_lr is None:
    theirs = benchmark.TORCH_COUNTERPARTS["dcgan"](config, 3)  # the bench's counterpart
  else:
    beta1 = config.optimizer.beta1 if beta1 is None else beta1
    theirs = reference.DCGANModel(nz=NZ, ngf=WIDTH, ndf=WIDTH, image_size=SIZE, beta1=beta1)
  assert theirs.num_parameters() == sum(int(np.prod(v.shape)) for v in model.trainable_variables)
  copy_keras_weights(model.G, theirs.netG)
  copy_keras_weights(model.D, theirs.netD)
  if sgd_lr is not None:
    theirs.optimizerD = torch.optim.SGD(theirs.netD.parameters(), lr=sgd_lr)
    theirs.optimizerG = torch.optim.SGD(theirs.netG.parameters(), lr=sgd_lr)
  return trainer, theirs


def test_reference_nets_compute_ours_from_our_weights():
  trainer, theirs = _pair()
  model = trainer.model
  rng = np.random.default_rng(0)
  z = rng.standard_normal((BATCH, NZ)).astype(np.float32)
  images = rng.uniform(-1, 1, (BATCH, SIZE, SIZE, 3)).astype(np.float32)
  fake = theirs.netG(torch.from_numpy(z).view(BATCH, NZ, 1, 1)).detach().numpy()
  np.testing.assert_allclose(
    model.G(z, training=True).numpy(), fake.transpose(0, 2, 3, 1), atol=1e-5
  )
  logits = torch.logit(theirs.netD(_nchw(images))).detach().numpy()
  np.testing.assert_allclose(model.D(images, training=True).numpy()[:, 0], logits, atol=1e-4)


def _step_losses(
  beta1: float | None = None, sgd_lr: float | None = None
) -> list[tuple[dict, dict]]:
  """(our logs, the official iteration's dict) of iterations 0, 1 and 2."""
  trainer, theirs = _pair(beta1, sgd_lr)
  rng = np.random.default_rng(10)
  steps = []
  for i in range(3):
    images = tf.constant(rng.uniform(-1, 1, (BATCH, SIZE, SIZE, 3)).astype(np.float32))
    # The z our step i draws (Trainer.latent of the model's salt), given to the official iteration
    # in place of its torch.randn(N, nz, 1, 1).
    z = trainer.latent((images,), tf.constant(i, tf.int64), synthesis._Z).numpy()
    trainer.reset_metrics()
    logs = {k: float(v) for k, v in trainer.train_step(images).items()}
    official = theirs.optimize_parameters(_nchw(images.numpy()), torch.from_numpy(z))
    steps.append((logs, official))
  return steps


def _assert_official_losses(steps: list[tuple[dict, dict]], rtol: float = RTOL_ADAM) -> None:
  for i, (ours, official) in enumerate(steps):
    assert ours["D_reg"] == 0.0
    got = {"errD": ours["D_real"] + ours["D_fake"], "errG": ours["G_adv"]}
    for name, value in got.items():
      np.testing.assert_allclose(value, official[name], rtol=rtol, err_msg=f"{name} step {i}")


def test_three_iterations_log_the_official_losses():
  _assert_official_losses(_step_losses())


def test_three_sgd_iterations_log_the_same_losses_closely():
  # The same step with an update that does not amplify float noise: the losses, gradients and
  # update order to float precision.
  _assert_official_losses(_step_losses(sgd_lr=0.02), rtol=RTOL_SGD)


def test_the_comparison_sees_a_wrong_beta1():
  # The official beta1 is 0.5; at 0.9 the reference's first Adam steps are the same (lr * sign(g))
  # but the second ones differ, and so does errG from iteration 1.
  with pytest.raises(AssertionError, match="errG step 1"):
    _assert_official_losses(_step_losses(beta1=0.9))
