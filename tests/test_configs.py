"""Config variants and the command-line helpers that resolve them."""

from __future__ import annotations

import os

import pytest

from bin import cli
from configs import conditional, cyclegan, pix2pix


def test_paper_variant_holds_the_paper_defaults():
  c = cyclegan.get_config("paper")
  assert (c.generator.name, c.generator.ngf, c.generator.norm, c.generator.upsample) == (
    "resnet_9",
    64,
    "instance",
    "transpose",
  )
  assert (c.discriminator.name, c.discriminator.ndf, c.discriminator.n_layers) == ("patch", 64, 3)
  assert (c.loss.gan_mode, c.loss.lambda_a, c.loss.lambda_b, c.loss.lambda_identity) == (
    "lsgan",
    10.0,
    10.0,
    0.5,
  )
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2) == (2e-4, 0.5, 0.999)
  assert (c.optimizer.n_epochs, c.optimizer.n_epochs_decay, c.batch_size, c.train.pool_size) == (
    100,
    100,
    1,
    50,
  )
  assert (c.data.load_size, c.data.crop_size, c.data.flip) == (286, 256, True)


def test_dataset_variants_select_their_source():
  assert cyclegan.get_config("horse2zebra").data.name == "cycle_gan/horse2zebra"
  assert cyclegan.get_config("summer2winter_yosemite").data.source == "tfds"
  assert cyclegan.get_config("folder").data.source == "folder"
  default = cyclegan.get_config()
  assert (default.data.source, default.data.crop_size, default.generator.name) == (
    "seasons",
    64,
    "unet_64",
  )
  assert default.optimizer.lr == 5e-4 and cyclegan.get_config("paper").optimizer.lr == 2e-4


def test_unknown_variant_lists_the_valid_ones():
  with pytest.raises(ValueError, match="horse2zebra.*paper.*seasons64"):
    cyclegan.get_config("zebra2horse")


def test_pix2pix_paper_variant_holds_the_official_defaults():
  c = pix2pix.get_config("paper")
  g, d = c.generator, c.discriminator
  assert (g.name, g.ngf, g.norm, g.dropout, g.dropout_at_inference) == (
    "unet_256",
    64,
    "batch",
    0.5,
    True,
  )
  assert (d.name, d.ndf, d.n_layers, d.norm) == ("patch", 64, 3, "batch")
  assert (c.loss.gan_mode, c.loss.lambda_l1, c.train.pool_size) == ("vanilla", 100.0, 0)
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2, c.batch_size) == (
    2e-4,
    0.5,
    0.999,
    1,
  )
  assert (c.optimizer.n_epochs, c.optimizer.n_epochs_decay) == (100, 100)
  assert (c.data.dataset_mode, c.data.direction, c.data.load_size, c.data.crop_size) == (
    "aligned",
    "AtoB",
    286,
    256,
  )
  assert (c.data.preprocess, c.data.flip, c.eval.eval_mode) == ("resize_and_crop", True, False)


def test_pix2pix_variants_select_their_data():
  default = pix2pix.get_config()
  assert (default.data.source, default.data.label_format, default.data.crop_size) == (
    "city",
    "onehot",
    128,
  )
  assert default.generator.name == "unet_128"
  assert pix2pix.get_config("folder").data.source == "aligned_folder"
  cityscapes = pix2pix.get_config("cityscapes").data
  assert (cityscapes.source, cityscapes.name) == ("tfds_paired", "cityscapes/semantic_segmentation")
  with pytest.raises(ValueError, match="valid: city, cityscapes, folder, paper, tiny"):
    pix2pix.get_config("facades")


def test_user_paths_resolve_against_the_bazel_working_directory(monkeypatch, tmp_path):
  monkeypatch.setenv("BUILD_WORKING_DIRECTORY", str(tmp_path))
  assert cli.user_path("runs/a") == os.path.join(str(tmp_path), "runs", "a")
  assert cli.user_path("/abs/b") == "/abs/b"
  mine = tmp_path / "mine.py"
  mine.write_text("")
  argv = cli.resolve_config_argv(
    ["prog", "--config=mine.py:paper", "--config=configs/cyclegan.py:tiny"]
  )
  assert argv[1] == f"--config={mine}:paper"
  assert (
    argv[2] == f"--config={os.path.join(os.path.dirname(cyclegan.__file__), 'cyclegan.py')}:tiny"
  )


def test_conditional_variants_hold_the_official_settings():
  c = conditional.get_config("sngan_projection")  # official sngan_projection sn_cifar10.yml
  assert (c.model, c.batch_size, c.loss.gan_mode, c.train.n_critic) == (
    "conditional_gan",
    64,
    "hinge",
    5,
  )
  assert (c.optimizer.lr, c.optimizer.beta1, c.optimizer.beta2) == (2e-4, 0.0, 0.9)
  assert (c.generator.condition, c.discriminator.condition, c.conditioning.mode) == (
    "cbn",
    "projection",
    "projection",
  )
  assert (c.conditioning.num_classes, c.data.name, c.data.dataset_mode) == (
    10,
    "cifar10",
    "labelled_images",
  )
  s = conditional.get_config("sagan")  # Zhang et al. 2019, Sec. 5
  assert (s.optimizer.g_lr, s.optimizer.d_lr, s.train.n_critic) == (1e-4, 4e-4, 1)
  assert s.generator.spectral_norm and s.generator.attention == s.discriminator.attention == 16
  assert conditional.get_config("acgan").conditioning.mode == "acgan"
  assert conditional.get_config("cgan").discriminator.condition == "concat"
  b = conditional.get_config("biggan")  # BigGAN-PyTorch launch_BigGAN_bs256x8.sh
  assert (b.optimizer.g_lr, b.optimizer.d_lr, b.optimizer.beta1, b.optimizer.beta2) == (
    1e-4,
    4e-4,
    0.0,
    0.999,
  )
  assert (b.optimizer.epsilon, b.train.n_critic, b.batch_size, b.loss.ortho_reg) == (
    1e-6,
    1,
    2048,
    0.0,
  )
  assert (b.ema.decay, b.ema.start_step, b.generator.ch, b.data.crop_size) == (
    0.9999,
    20_000,
    96,
    128,
  )
  p = conditional.get_config("biggan_paper")  # Brock et al. 2019, App. C / Sec. 3.1
  assert (p.train.n_critic, p.optimizer.g_lr, p.optimizer.d_lr, p.loss.ortho_reg) == (
    2,
    5e-5,
    2e-4,
    1e-4,
  )
  with pytest.raises(ValueError, match="unknown conditional config variant 'big'"):
    conditional.get_config("big")
