"""The official pix2pix training step in PyTorch, transcribed from pytorch-CycleGAN-and-pix2pix
(`models/pix2pix_model.py` optimize_parameters, `models/networks.py` GANLoss('vanilla')): the side of
the speed comparison that users would otherwise run."""

from __future__ import annotations

import torch
from torch import nn

from tfgan_repro.torch_reference import networks


def vanilla_loss(prediction: torch.Tensor, target_is_real: bool) -> torch.Tensor:
  """Official GANLoss('vanilla'): BCEWithLogitsLoss against a map of 1 (real) or 0 (fake)."""
  target = torch.full_like(prediction, 1.0 if target_is_real else 0.0)
  return nn.functional.binary_cross_entropy_with_logits(prediction, target)


class Pix2PixModel:
  """netG: A -> B (U-Net, batch norm, dropout), netD: conditional PatchGAN on cat(A, B)."""

  def __init__(
    self,
    *,
    input_nc: int,
    output_nc: int = 3,
    num_downs: int,
    ngf: int = 64,
    ndf: int = 64,
    n_layers_d: int = 3,
    use_dropout: bool = True,
    lambda_l1: float = 100.0,
    lr: float = 2e-4,
    beta1: float = 0.5,
  ):
    norm = networks.get_norm_layer("batch")
    self.netG = networks.init_weights(
      networks.UnetGenerator(input_nc, output_nc, num_downs, ngf, norm, use_dropout=use_dropout)
    )
    self.netD = networks.init_weights(
      networks.NLayerDiscriminator(input_nc + output_nc, ndf, n_layers_d, norm)
    )
    self.lambda_l1 = lambda_l1
    self.optimizer_G = torch.optim.Adam(self.netG.parameters(), lr=lr, betas=(beta1, 0.999))
    self.optimizer_D = torch.optim.Adam(self.netD.parameters(), lr=lr, betas=(beta1, 0.999))

  @property
  def nets(self) -> dict[str, nn.Module]:
    return {"G": self.netG, "D": self.netD}

  def num_parameters(self) -> int:
    return sum(p.numel() for net in self.nets.values() for p in net.parameters())

  def _set_requires_grad(self, requires_grad: bool) -> None:
    for p in self.netD.parameters():
      p.requires_grad = requires_grad

  def optimize_parameters(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict[str, float]:
    """One official step: forward G, update D on (A, G(A)) and (A, B), then update G."""
    fake_b = self.netG(real_a)
    self._set_requires_grad(True)
    self.optimizer_D.zero_grad()
    fake_ab = torch.cat((real_a, fake_b), 1)
    loss_d_fake = vanilla_loss(self.netD(fake_ab.detach()), False)
    loss_d_real = vanilla_loss(self.netD(torch.cat((real_a, real_b), 1)), True)
    loss_d = (loss_d_fake + loss_d_real) * 0.5
    loss_d.backward()
    self.optimizer_D.step()
    self._set_requires_grad(False)
    self.optimizer_G.zero_grad()
    loss_g_gan = vanilla_loss(self.netD(fake_ab), True)
    loss_g_l1 = nn.functional.l1_loss(fake_b, real_b) * self.lambda_l1
    loss_g = loss_g_gan + loss_g_l1
    loss_g.backward()
    self.optimizer_G.step()
    return {"G": loss_g.item(), "G_L1": loss_g_l1.item(), "D": loss_d.item()}
