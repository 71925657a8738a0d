import ml_collections
import pytest

from configs import cyclegan
from tfgan_repro.models import network_from_config


def _block(**items):
  return ml_collections.ConfigDict(items)


def _params(model):
  return sum(int(w.numpy().size) for w in model.trainable_weights)


def test_option_of_another_network_of_the_role_is_ignored():
  # num_d is multiscale's option; a patch D built from the same block is the plain 16x16 PatchGAN
  # (official NLayerDiscriminator, n_layers 1, batch norm): conv1 4*4*3*8 + 8, conv2 4*4*8*16 (no
  # bias before a norm), its BatchNorm 2*16, conv_out 4*4*16 + 1; one logit map, 16 -> 8 -> 7 -> 6.
  model = network_from_config(_block(name="patch", ndf=8, n_layers=1, num_d=3, norm="batch"))
  assert _params(model) == 392 + 2048 + 32 + 257
  assert model.compute_output_shape((1, 16, 16, 3)) == (1, 6, 6, 1)


def test_typo_in_a_generator_block_names_key_block_and_suggestion():
  with pytest.raises(
    ValueError,
    match=r"unknown key 'ngff' in the config block of generator 'resnet_6', built as 'G_AB': "
    r"no registered generator takes it; did you mean 'ngf'\?",
  ):
    network_from_config(_block(name="resnet_6", ngff=4), name="G_AB")


def test_typo_in_a_discriminator_block_suggests_the_discriminator_option():
  with pytest.raises(
    ValueError,
    match=r"unknown key 'n_layer' in the config block of discriminator 'patch': "
    r"no registered discriminator takes it; did you mean 'n_layers'\?",
  ):
    network_from_config(_block(name="patch", ndf=4, n_layer=2))


def test_a_generator_option_in_a_discriminator_block_is_unknown():
  # upsample belongs to the generators only.
  with pytest.raises(ValueError, match="unknown key 'upsample' in the config block of discrim"):
    network_from_config(_block(name="pixel", upsample="transpose"))


def test_key_with_no_close_option_lists_the_valid_ones():
  with pytest.raises(
    ValueError, match=r"takes it; valid: attention, c_dim, .*conv_dim, .*ndf, .*num_d"
  ):
    network_from_config(_block(name="pixel", zzzzzz=1))


def test_shipped_cyclegan_blocks_build():
  # Every key of the tiny CycleGAN blocks is some network's option: both build.
  config = cyclegan.get_config("tiny")
  size = config.data.crop_size
  g = network_from_config(config.generator, name="G")
  d = network_from_config(config.discriminator, name="D")
  assert g.compute_output_shape((1, size, size, 3)) == (1, size, size, 3)
  assert d.compute_output_shape((1, size, size, 3))[-1] == 1
