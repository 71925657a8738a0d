"""The official DCGAN in PyTorch, written from the behaviour of pytorch/examples `dcgan/main.py`:
Generator and Discriminator (same module order, so the state_dict keys are the official ones),
weights_init (convs N(0, 0.02), batch norm weight N(1, 0.02) and bias 0), BCELoss on D's sigmoid,
Adam(lr 2e-4, betas (0.5, 0.999)) and one iteration of the training loop: D on a real batch
(label 1), then on G(z).detach() (label 0), then G with label 1 on the updated D's verdict on the
same G(z) (the non-saturating loss). A reference for the speed comparison and the step-equality
tests (torch is optional).

The official nets are 64 px; another `image_size` 2^k (>= 8) adds or removes middle blocks (each
halves / doubles the width), so 64 is exactly the official architecture.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _middle_blocks(image_size: int) -> int:
  """Stride-2 blocks between the 4x4 map and the last layer: 3 at the official 64 px."""
  blocks = int(math.log2(image_size)) - 3
  if image_size != 2 ** (blocks + 3) or blocks < 0:
    raise ValueError(f"image_size must be a power of 2 >= 8, got {image_size}")
  return blocks


def weights_init(m: nn.Module) -> None:
  """Official weights_init: Conv* weights N(0, 0.02); BatchNorm weight N(1, 0.02), bias 0."""
  classname = type(m).__name__
  if classname.find("Conv") != -1:
    nn.init.normal_(m.weight, 0.0, 0.02)
  elif classname.find("BatchNorm") != -1:
    nn.init.normal_(m.weight, 1.0, 0.02)
    nn.init.zeros_(m.bias)


class Generator(nn.Module):
  """z [N, nz, 1, 1] -> ConvT(nz, ngf*8, 4, 1, 0), BN, ReLU, 3 x [ConvT(4, 2, 1) halving the
  width, BN, ReLU], ConvT(ngf, nc, 4, 2, 1), Tanh -> [N, nc, 64, 64]; no biases."""

  def __init__(self, nz: int = 100, ngf: int = 64, nc: int = 3, image_size: int = 64):
    super().__init__()
    blocks = _middle_blocks(image_size)
    width = ngf * 2**blocks
    layers: list[nn.Module] = [
      nn.ConvTranspose2d(nz, width, 4, 1, 0, bias=False),
      nn.BatchNorm2d(width),
      nn.ReLU(True),
    ]
    for _ in range(blocks):
      layers += [
        nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(width // 2),
        nn.ReLU(True),
      ]
      width //= 2
    layers += [nn.ConvTranspose2d(width, nc, 4, 2, 1, bias=False), nn.Tanh()]
    self.main = nn.Sequential(*layers)

  def forward(self, z: torch.Tensor) -> torch.Tensor:
    return self.main(z)


class Discriminator(nn.Module):
  """[N, nc, 64, 64] -> Conv(nc, ndf, 4, 2, 1), LeakyReLU(0.2), 3 x [Conv(4, 2, 1) doubling the
  width, BN, LeakyReLU(0.2)], Conv(ndf*8, 1, 4, 1, 0), Sigmoid -> [N] probabilities; no biases.
  `sigmoid=False`: the logits instead (the same net, for comparing with a logit D)."""

  def __init__(self, ndf: int = 64, nc: int = 3, image_size: int = 64, sigmoid: bool = True):
    super().__init__()
    blocks = _middle_blocks(image_size)
    layers: list[nn.Module] = [
      nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
      nn.LeakyReLU(0.2, inplace=True),
    ]
    width = ndf
    for _ in range(blocks):
      layers += [
        nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(width * 2),
        nn.LeakyReLU(0.2, inplace=True),
      ]
      width *= 2
    layers.append(nn.Conv2d(width, 1, 4, 1, 0, bias=False))
    if sigmoid:
      layers.append(nn.Sigmoid())
    self.main = nn.Sequential(*layers)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return self.main(x).view(-1, 1).squeeze(1)


class DCGANModel:
  """The official nets (weights_init applied), BCELoss and the two Adams, with one training
  iteration of main.py as `optimize_parameters`."""

  real_label, fake_label = 1.0, 0.0

  def __init__(
    self,
    *,
    nz: int = 100,
    ngf: int = 64,
    ndf: int = 64,
    nc: int = 3,
    image_size: int = 64,
    lr: float = 2e-4,  # --lr 0.0002
    beta1: float = 0.5,  # --beta1 0.5
  ):
    self.nz = nz
    self.netG = Generator(nz, ngf, nc, image_size)
    self.netG.apply(weights_init)
    self.netD = Discriminator(ndf, nc, image_size)
    self.netD.apply(weights_init)
    self.criterion = nn.BCELoss()
    self.optimizerD = torch.optim.Adam(self.netD.parameters(), lr=lr, betas=(beta1, 0.999))
    self.optimizerG = torch.optim.Adam(self.netG.parameters(), lr=lr, betas=(beta1, 0.999))

  @property
  def nets(self) -> dict[str, nn.Module]:
    return {"G": self.netG, "D": self.netD}

  def num_parameters(self) -> int:
    return sum(p.numel() for net in self.nets.values() for p in net.parameters())

  def optimize_parameters(
    self, real: torch.Tensor, noise: torch.Tensor | None = None
  ) -> dict[str, float]:
    """One iteration of the official loop on `real` [N, nc, H, W]; `noise` [N, nz] or
    [N, nz, 1, 1] is the iteration's z (drawn with torch.randn, as the official loop, if None).
    Returns errD (errD_real + errD_fake), errG, D_x and D_G_z1 / D_G_z2 (mean D(G(z)) before /
    after D's update)."""
    batch_size = real.size(0)
    # (1) Update D: maximize log(D(x)) + log(1 - D(G(z))).
    self.netD.zero_grad()
    label = torch.full((batch_size,), self.real_label, dtype=real.dtype)
    output = self.netD(real)
    err_d_real = self.criterion(output, label)
    err_d_real.backward()
    d_x = output.mean().item()
    if noise is None:
      noise = torch.randn(batch_size, self.nz, 1, 1)
    fake = self.netG(noise.view(batch_size, self.nz, 1, 1))
    label.fill_(self.fake_label)
    output = self.netD(fake.detach())
    err_d_fake = self.criterion(output, label)
    err_d_fake.backward()
    d_g_z1 = output.mean().item()
    err_d = err_d_real + err_d_fake
    self.optimizerD.step()
    # (2) Update G: maximize log(D(G(z))).
    self.netG.zero_grad()
    label.fill_(self.real_label)
    output = self.netD(fake)
    err_g = self.criterion(output, label)
    err_g.backward()
    d_g_z2 = output.mean().item()
    self.optimizerG.step()
    return {
      "errD": err_d.item(),
      "errG": err_g.item(),
      "D_x": d_x,
      "D_G_z1": d_g_z1,
      "D_G_z2": d_g_z2,
    }
