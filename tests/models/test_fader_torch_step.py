"""Fader Networks against the official code in PyTorch (torch_reference/fader.py,
facebookresearch/FaderNetworks src/model.py and src/training.py): the reference nets have the
official counts and compute our nets' outputs from our weights; three iterations of the official
loop (lat_dis_step, [ptc_dis_step,] autoencoder_step, step) on the same batches and random targets
log our losses, with SGD and with the official Adam (docs/pitfalls.md: Adam's epsilon), and
under SGD move the batch norms' running statistics as the official nets (both sides keep their
own; layers/batch_normalization.py)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch  # the test extra (pyproject.toml)

from configs import fader as fader_configs  # noqa: E402
from tfgan_repro import models  # noqa: E402
from tfgan_repro.models import contract  # noqa: E402
from tfgan_repro.torch_reference import fader as reference  # noqa: E402
from tfgan_repro.torch_reference.keras_weights import copy_keras_weights  # noqa: E402
from tfgan_repro.training.trainer import Trainer  # noqa: E402

# Measured here (3 iterations, 16 px, batch 4, lambda_lat_dis 0.1 so that its ramp of 0, 1/4, 2/4
# weighs in; the official 1e-4 hardly moves the encoder in 3 steps):
# - SGD on both sides (lr 0.05; clip 0.25, below every network's gradient norm, ~0.3 for the
#   autoencoder and 4.5 to 11 for lat_dis): every loss within 1.5e-7 relative; with the
#   PatchDiscriminator (32 px, its gradient norm ~1.3), within 1e-7.
# - the official Adam: iteration 0 within 7e-6, iterations 1 and 2 within 2.9e-5 (lat_dis,
#   lat_dis_ae). Adam moves the conv biases before batch norm, whose gradients are 0 in exact
#   arithmetic, by float noise (its first steps are ~lr * sign(g)), and Keras applies epsilon
#   before the bias correction, torch after it (epsilon 1e-8 vs ~3e-10 at the first step), which
#   differs where |g| ~ 1e-8; both reach the losses through the eval() passes.
# - a reference at lambda_lat_dis 0.09: G_total 1.4e-2 relative at iteration 1.
RTOL = 1e-5
ADAM_RTOL = 1e-4
LAMBDA_LAT_DIS = 0.1
LAMBDA_PTC_DIS = 0.1
SGD_LR, SGD_CLIP = 0.05, 0.25


def _count(net: torch.nn.Module) -> int:
  return sum(p.numel() for p in net.parameters())


def _nchw(x: np.ndarray | tf.Tensor) -> torch.Tensor:
  return torch.from_numpy(np.ascontiguousarray(np.asarray(x).transpose(0, 3, 1, 2)))


def test_reference_nets_have_the_official_counts():
  # official train.py defaults: 256 px, --attr Smiling,Male (4 one-hot channels)
  assert _count(reference.AutoEncoder()) == 14_032_352
  assert _count(reference.LatentDiscriminator()) == 8_656_388
  assert _count(reference.PatchDiscriminator()) == 695_137
  enc_outputs = reference.AutoEncoder().encode(torch.zeros(1, 3, 256, 256))
  assert tuple(enc_outputs[-1].shape) == (1, 512, 4, 4)


def _pair(optimizer: str = "adam", lambda_lat_dis: float = LAMBDA_LAT_DIS, patch: bool = False):
  """Our tiny Fader in its Trainer and the official Trainer over copies of its weights: both
  with the official Adam (lr 2e-4, clip 5), or both with SGD (SGD_LR, clip SGD_CLIP). patch: with
  the official PatchDiscriminator too (--n_ptc_dis 1, --lambda_ptc_dis LAMBDA_PTC_DIS) at 32 px
  (it needs >= 24)."""
  config = fader_configs.get_config("tiny")  # lat_dis dropout 0: no random masks
  config.loss.lambda_lat_dis = LAMBDA_LAT_DIS
  if patch:
    config.data.load_size = config.data.crop_size = 32
    config.discriminator.name = "fader_patch_discriminator"
    config.loss.lambda_adv = LAMBDA_PTC_DIS
  keras.utils.set_random_seed(0)
  model = models.build_model(config)
  if optimizer == "sgd":
    model.optimizer_settings = contract.Optimizer(lr=SGD_LR, name="sgd", clip_norm=SGD_CLIP)
  opt = model.optimizer_settings
  trainer = Trainer(model, steps_per_epoch=1000)  # lr constant over these steps
  trainer.compile()
  g, lat = config.generator, config.latent_discriminator
  n_attr = 2 * len(model.attribute_names)  # official one-hot layout
  widths = {"init_fm": g.init_fm, "max_fm": g.max_fm, "n_layers": g.n_layers, "n_attr": n_attr}
  ae = reference.AutoEncoder(**widths)
  lat_dis = reference.LatentDiscriminator(
    img_sz=config.data.crop_size, hid_dim=lat.hid_dim, dropout=lat.dropout, **widths
  )
  copy_keras_weights(model.G, ae)
  copy_keras_weights(model.lat_dis, lat_dis)
  ptc_dis = None
  if patch:
    d = config.discriminator
    ptc_dis = reference.PatchDiscriminator(init_fm=d.init_fm, max_fm=d.max_fm)
    copy_keras_weights(model.img_dis, ptc_dis)
  spec = f"adam,lr={opt.lr},beta1={opt.beta_1},beta2={opt.beta_2}"
  spec = spec if optimizer == "adam" else f"sgd,lr={opt.lr}"
  official = reference.Trainer(
    ae=ae,
    lat_dis=lat_dis,
    ptc_dis=ptc_dis,
    ae_optimizer=spec,
    dis_optimizer=spec,
    lambda_ae=config.loss.lambda_ae,
    lambda_lat_dis=lambda_lat_dis,
    lambda_ptc_dis=config.loss.lambda_adv,
    smooth_label=config.loss.smooth_label,
    lambda_schedule=config.loss.lambda_schedule,
    clip_grad_norm=opt.clip_norm,
  )
  return config, trainer, official


def _batch(config, seed: int) -> tuple[np.ndarray, np.ndarray]:
  rng = np.random.default_rng(seed)
  n, size = config.batch_size, config.data.crop_size
  images = rng.uniform(-1, 1, (n, size, size, 3)).astype(np.float32)
  return images, rng.integers(0, 2, (n, 4)).astype(np.float32)


def test_reference_nets_compute_ours_from_our_weights():
  config, trainer, official = _pair()
  model = trainer.model
  images, attributes = _batch(config, seed=0)
  y = reference.dummy(torch.from_numpy(attributes))
  for training in (True, False):  # batch statistics, then the running ones (official eval())
    official.ae.train(training)
    official.lat_dis.train(training)
    enc_outputs, dec_outputs = official.ae(_nchw(images), y)
    ours = model.G([images, attributes], training=training).numpy()
    theirs = dec_outputs[-1].detach().numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    latent = model.encoder(images, training=training)
    ours = model.lat_dis(latent, training=training).numpy()
    np.testing.assert_allclose(ours, official.lat_dis(_nchw(latent)).detach().numpy(), atol=1e-5)
    copy_keras_weights(model.G, official.ae)  # the train-mode calls moved the running statistics
    copy_keras_weights(model.lat_dis, official.lat_dis)


def _batch_norms(nets: tuple[keras.Model, ...], modules: tuple[torch.nn.Module, ...]) -> list:
  """(Keras BatchNormalization, torch BatchNorm2d) pairs of the nets, in build order."""
  ours = [
    layer
    for net in nets
    for layer in net.layers
    if isinstance(layer, keras.layers.BatchNormalization)
  ]
  theirs = [m for net in modules for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
  assert len(ours) == len(theirs) > 0
  return list(zip(ours, theirs, strict=True))


def _check_running_statistics(norms: list) -> None:
  """Both sides' running statistics after the same updates: our batch norm moves the variance by
  the unbiased batch variance, as BatchNorm2d (layers/batch_normalization.py). The official eval()
  calls (ae in lat_dis_step, lat_dis in autoencoder_step) read them; nothing is copied across."""
  for layer, module in norms:
    pairs = ((layer.moving_mean, module.running_mean), (layer.moving_variance, module.running_var))
    for ours, theirs in pairs:
      np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6, err_msg=layer.name)


def _iterations(optimizer: str, lambda_lat_dis: float = LAMBDA_LAT_DIS, patch: bool = False):
  """Per iteration 0, 1, 2: (our logs, the official losses, the official gradient norms)."""
  config, trainer, official = _pair(optimizer, lambda_lat_dis, patch)
  model = trainer.model
  lat_norms = _batch_norms((model.lat_dis,), (official.lat_dis,))
  ae_norms = _batch_norms((model.encoder, model.decoder), (official.ae,))
  ptc_norms = _batch_norms((model.img_dis,), (official.ptc_dis,)) if patch else []
  # Adam moves the conv biases before batch norm, whose gradients are 0 in exact arithmetic, by
  # float noise (its first steps are ~lr * sign(g)): the running means then differ by ~lr, so
  # the statistics are compared under SGD only.
  check = optimizer == "sgd"
  for i in range(3):
    images, attributes = _batch(config, seed=10 + i)
    trainer.reset_metrics()
    logs = {k: float(v) for k, v in trainer.train_step((images, attributes)).items()}
    x, y = _nchw(images), reference.dummy(torch.from_numpy(attributes))
    want = {"lat_dis": official.lat_dis_step(x, y)}
    flipped = None
    if patch:  # our random targets of step i (official flip_attributes(.., 'all') per step)
      step = tf.constant(i, tf.int64)
      flipped = [
        reference.dummy(torch.from_numpy(model._fake_targets(attributes, step, salt).numpy()))
        for salt in (1, 2)  # the D phase's, the G phase's
      ]
      want["D_real+D_fake"] = official.ptc_dis_step(x, y, flipped[0])
      logs["D_real+D_fake"] = logs.pop("D_real") + logs.pop("D_fake")
    stats = official.autoencoder_step(x, y, flipped[1] if patch else None)
    official.step()
    if check:  # after the whole step: each network's statistics move in one phase
      _check_running_statistics(lat_norms + ae_norms + ptc_norms)
    want.update(rec=stats["rec_costs"], lat_dis_ae=stats["lat_dis_ae"], G_total=stats["ae_loss"])
    if patch:
      want["G_adv"] = stats["ptc_dis_ae"]
    yield logs, want, dict(official.grad_norms)


def _assert_official_losses(
  optimizer: str, lambda_lat_dis: float = LAMBDA_LAT_DIS, rtol: float = RTOL
) -> None:
  for i, (ours, official, _) in enumerate(_iterations(optimizer, lambda_lat_dis)):
    assert set(ours) == set(official)
    for name, value in official.items():
      np.testing.assert_allclose(ours[name], value, rtol=rtol, err_msg=f"{name} step {i}")


def test_three_sgd_iterations_log_the_official_losses():
  clipped = set()
  for i, (ours, official, grad_norms) in enumerate(_iterations("sgd")):
    for name, value in official.items():
      np.testing.assert_allclose(ours[name], value, rtol=RTOL, err_msg=f"{name} step {i}")
    clipped |= {type(net).__name__ for net, norm in grad_norms.items() if norm > SGD_CLIP}
  assert clipped == {"AutoEncoder", "LatentDiscriminator"}  # clip_grad_norm took part


def test_patch_discriminator_iterations_log_the_official_losses():
  clipped = set()
  for i, (ours, official, grad_norms) in enumerate(_iterations("sgd", patch=True)):
    assert set(ours) == set(official)
    for name, value in official.items():
      np.testing.assert_allclose(ours[name], value, rtol=RTOL, err_msg=f"{name} step {i}")
    clipped |= {type(net).__name__ for net, norm in grad_norms.items() if norm > SGD_CLIP}
  assert "PatchDiscriminator" in clipped


def test_adam_iterations_log_the_official_losses():
  _assert_official_losses("adam", rtol=ADAM_RTOL)


def test_the_comparison_sees_a_wrong_lambda_lat_dis():
  # Ours at lambda_lat_dis 0.1, the reference at 0.09: from iteration 1 (ramp 1/4) the encoder's
  # loss differs.
  with pytest.raises(AssertionError, match="G_total step 1"):
    _assert_official_losses("sgd", lambda_lat_dis=0.9 * LAMBDA_LAT_DIS)
