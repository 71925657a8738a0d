"""The official CycleGAN training step in PyTorch, transcribed from pytorch-CycleGAN-and-pix2pix
(`models/cycle_gan_model.py` optimize_parameters, `models/networks.py` GANLoss, `util/image_pool.py`
ImagePool): the side of the speed comparison that users would otherwise run."""

from __future__ import annotations

import itertools
import random

import torch
from torch import nn

from tfgan_repro.torch_reference import networks


class ImagePool:
  """Official ImagePool: until full, store and return; then with p = 0.5 swap with a stored image."""

  def __init__(self, pool_size: int = 50):
    self.pool_size, self.images = pool_size, []

  def query(self, images: torch.Tensor) -> torch.Tensor:
    out = []
    for image in images.detach():
      image = image.unsqueeze(0)
      if len(self.images) < self.pool_size:
        self.images.append(image)
        out.append(image)
      elif random.uniform(0, 1) > 0.5:
        i = random.randint(0, self.pool_size - 1)
        out.append(self.images[i].clone())
        self.images[i] = image
      else:
        out.append(image)
    return torch.cat(out, 0)


def lsgan_loss(prediction: torch.Tensor, target_is_real: bool) -> torch.Tensor:
  """Official GANLoss('lsgan'): MSE against a map of 1 (real) or 0 (fake)."""
  target = torch.full_like(prediction, 1.0 if target_is_real else 0.0)
  return nn.functional.mse_loss(prediction, target)


class CycleGANModel:
  """netG_A: A -> B, netG_B: B -> A, netD_A judges B, netD_B judges A (official names)."""

  def __init__(
    self,
    *,
    n_blocks: int,
    ngf: int = 64,
    ndf: int = 64,
    n_layers_d: int = 3,
    lambda_a: float = 10.0,
    lambda_b: float = 10.0,
    lambda_identity: float = 0.5,
    lr: float = 2e-4,
    beta1: float = 0.5,
    pool_size: int = 50,
  ):
    norm = networks.get_norm_layer("instance")

    def generator() -> nn.Module:
      net = networks.ResnetGenerator(3, 3, ngf, norm, use_dropout=False, n_blocks=n_blocks)
      return networks.init_weights(net)

    def discriminator() -> nn.Module:
      return networks.init_weights(networks.NLayerDiscriminator(3, ndf, n_layers_d, norm))

    self.netG_A, self.netG_B = generator(), generator()
    self.netD_A, self.netD_B = discriminator(), discriminator()
    self.lambda_a, self.lambda_b, self.lambda_identity = lambda_a, lambda_b, lambda_identity
    g_params = itertools.chain(self.netG_A.parameters(), self.netG_B.parameters())
    d_params = itertools.chain(self.netD_A.parameters(), self.netD_B.parameters())
    self.optimizer_G = torch.optim.Adam(g_params, lr=lr, betas=(beta1, 0.999))
    self.optimizer_D = torch.optim.Adam(d_params, lr=lr, betas=(beta1, 0.999))
    self.fake_A_pool, self.fake_B_pool = ImagePool(pool_size), ImagePool(pool_size)

  @property
  def nets(self) -> dict[str, nn.Module]:
    return {"G_A": self.netG_A, "G_B": self.netG_B, "D_A": self.netD_A, "D_B": self.netD_B}

  def num_parameters(self) -> int:
    return sum(p.numel() for net in self.nets.values() for p in net.parameters())

  def _set_requires_grad(self, nets: list[nn.Module], requires_grad: bool) -> None:
    for net in nets:
      for p in net.parameters():
        p.requires_grad = requires_grad

  def _backward_g(self, real_a, real_b, fake_a, fake_b, rec_a, rec_b) -> torch.Tensor:
    l1 = nn.functional.l1_loss
    loss = lsgan_loss(self.netD_A(fake_b), True) + lsgan_loss(self.netD_B(fake_a), True)
    loss = loss + l1(rec_a, real_a) * self.lambda_a + l1(rec_b, real_b) * self.lambda_b
    if self.lambda_identity > 0:
      idt_weight_a = self.lambda_b * self.lambda_identity
      loss = loss + l1(self.netG_A(real_b), real_b) * idt_weight_a
      loss = loss + l1(self.netG_B(real_a), real_a) * self.lambda_a * self.lambda_identity
    loss.backward()
    return loss

  @staticmethod
  def _backward_d(net_d: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    loss = 0.5 * (lsgan_loss(net_d(real), True) + lsgan_loss(net_d(fake.detach()), False))
    loss.backward()
    return loss

  def optimize_parameters(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict[str, float]:
    """One official step: forward, G update with D frozen, then both D on pooled fakes."""
    fake_b = self.netG_A(real_a)
    rec_a = self.netG_B(fake_b)
    fake_a = self.netG_B(real_b)
    rec_b = self.netG_A(fake_a)
    self._set_requires_grad([self.netD_A, self.netD_B], False)
    self.optimizer_G.zero_grad()
    loss_g = self._backward_g(real_a, real_b, fake_a, fake_b, rec_a, rec_b)
    self.optimizer_G.step()
    self._set_requires_grad([self.netD_A, self.netD_B], True)
    self.optimizer_D.zero_grad()
    loss_d_a = self._backward_d(self.netD_A, real_b, self.fake_B_pool.query(fake_b))
    loss_d_b = self._backward_d(self.netD_B, real_a, self.fake_A_pool.query(fake_a))
    self.optimizer_D.step()
    return {"G": loss_g.item(), "D_A": loss_d_a.item(), "D_B": loss_d_b.item()}
