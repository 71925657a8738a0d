"""The official StarGAN in PyTorch, written from the behaviour of yunjey/stargan: `model.py`
(ResidualBlock, Generator, Discriminator, same module order, so the state_dict keys are the
official ones) and one iteration of `solver.py` Solver.train() in CelebA mode (binary
attributes). A reference for the step-equality tests (torch is optional)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ResidualBlock(nn.Module):
  """x + [conv3 p1 (no bias), IN(affine, tracked), ReLU, conv3 p1, IN](x)."""

  def __init__(self, dim_in: int, dim_out: int):
    super().__init__()
    self.main = nn.Sequential(
      nn.Conv2d(dim_in, dim_out, kernel_size=3, stride=1, padding=1, bias=False),
      nn.InstanceNorm2d(dim_out, affine=True, track_running_stats=True),
      nn.ReLU(inplace=True),
      nn.Conv2d(dim_out, dim_out, kernel_size=3, stride=1, padding=1, bias=False),
      nn.InstanceNorm2d(dim_out, affine=True, track_running_stats=True),
    )

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return x + self.main(x)


def _conv_in_relu(conv: nn.Module, dim: int) -> list[nn.Module]:
  return [conv, nn.InstanceNorm2d(dim, affine=True, track_running_stats=True), nn.ReLU(True)]


class Generator(nn.Module):
  """Official Generator(conv_dim 64, c_dim 5, repeat_num 6): the labels tiled after the image."""

  def __init__(self, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6):
    super().__init__()
    layers = _conv_in_relu(nn.Conv2d(3 + c_dim, conv_dim, 7, 1, 3, bias=False), conv_dim)
    dim = conv_dim
    for _ in range(2):  # down-sampling
      layers += _conv_in_relu(nn.Conv2d(dim, dim * 2, 4, 2, 1, bias=False), dim * 2)
      dim *= 2
    layers += [ResidualBlock(dim, dim) for _ in range(repeat_num)]
    for _ in range(2):  # up-sampling
      layers += _conv_in_relu(nn.ConvTranspose2d(dim, dim // 2, 4, 2, 1, bias=False), dim // 2)
      dim //= 2
    layers += [nn.Conv2d(dim, 3, 7, 1, 3, bias=False), nn.Tanh()]
    self.main = nn.Sequential(*layers)

  def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    c = c.view(c.size(0), c.size(1), 1, 1).repeat(1, 1, x.size(2), x.size(3))  # [N, c_dim, H, W]
    return self.main(torch.cat([x, c], dim=1))


class Discriminator(nn.Module):
  """Official Discriminator: k4 s2 convs with LeakyReLU(0.01), then out_src (conv1: k3, 1 map)
  and out_cls (conv2: a kernel over the whole last map, c_dim logits)."""

  def __init__(
    self, image_size: int = 128, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6
  ):
    super().__init__()
    layers = [nn.Conv2d(3, conv_dim, 4, 2, 1), nn.LeakyReLU(0.01)]
    dim = conv_dim
    for _ in range(1, repeat_num):
      layers += [nn.Conv2d(dim, dim * 2, 4, 2, 1), nn.LeakyReLU(0.01)]
      dim *= 2
    self.main = nn.Sequential(*layers)
    self.conv1 = nn.Conv2d(dim, 1, kernel_size=3, stride=1, padding=1, bias=False)
    self.conv2 = nn.Conv2d(dim, c_dim, kernel_size=image_size // 2**repeat_num, bias=False)

  def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = self.main(x)
    out_cls = self.conv2(h)
    return self.conv1(h), out_cls.view(out_cls.size(0), out_cls.size(1))


def classification_loss(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
  """Official CelebA mode: BCE with logits summed over labels and examples, / batch size."""
  return F.binary_cross_entropy_with_logits(logit, target, reduction="sum") / logit.size(0)


def gradient_penalty(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
  """Official: mean over the batch of (||d sum(y) / dx||_2 - 1)^2 (a graph for D's update)."""
  (dydx,) = torch.autograd.grad(
    outputs=y, inputs=x, grad_outputs=torch.ones_like(y), retain_graph=True, create_graph=True
  )
  norm = torch.sqrt(torch.sum(dydx.view(dydx.size(0), -1) ** 2, dim=1))
  return torch.mean((norm - 1) ** 2)


class Solver:
  """Official Solver's nets, optimizers and one training iteration (CelebA, single dataset)."""

  def __init__(
    self,
    *,
    G: Generator,
    D: Discriminator,
    lambda_cls: float = 1.0,  # --lambda_cls 1
    lambda_rec: float = 10.0,  # --lambda_rec 10
    lambda_gp: float = 10.0,  # --lambda_gp 10
    n_critic: int = 5,  # --n_critic 5
    g_lr: float = 1e-4,  # --g_lr 0.0001
    d_lr: float = 1e-4,  # --d_lr 0.0001
    beta1: float = 0.5,  # --beta1 0.5
    beta2: float = 0.999,  # --beta2 0.999
  ):
    self.G, self.D = G, D
    self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp
    self.n_critic = n_critic
    self.g_optimizer = torch.optim.Adam(G.parameters(), g_lr, [beta1, beta2])
    self.d_optimizer = torch.optim.Adam(D.parameters(), d_lr, [beta1, beta2])

  def reset_grad(self) -> None:
    self.g_optimizer.zero_grad()
    self.d_optimizer.zero_grad()

  def train_iteration(
    self,
    i: int,
    x_real: torch.Tensor,
    label_org: torch.Tensor,
    rand_idx: torch.Tensor,
    alpha: torch.Tensor,
  ) -> dict[str, float]:
    """Iteration i of Solver.train(): the official `loss` dict. `rand_idx` (torch.randperm(N))
    and `alpha` (torch.rand(N, 1, 1, 1)) are the iteration's random draws, given by the caller."""
    label_trg = label_org[rand_idx]
    c_org, c_trg = label_org.clone(), label_trg.clone()
    loss = {}

    # Train the discriminator (every iteration).
    out_src, out_cls = self.D(x_real)
    d_loss_real = -torch.mean(out_src)
    d_loss_cls = classification_loss(out_cls, label_org)
    x_fake = self.G(x_real, c_trg)
    out_src, out_cls = self.D(x_fake.detach())
    d_loss_fake = torch.mean(out_src)
    x_hat = (alpha * x_real.data + (1 - alpha) * x_fake.data).requires_grad_(True)
    out_src, _ = self.D(x_hat)
    d_loss_gp = gradient_penalty(out_src, x_hat)
    d_loss = d_loss_real + d_loss_fake + self.lambda_cls * d_loss_cls + self.lambda_gp * d_loss_gp
    self.reset_grad()
    d_loss.backward()
    self.d_optimizer.step()
    loss["D/loss_real"], loss["D/loss_fake"] = d_loss_real.item(), d_loss_fake.item()
    loss["D/loss_cls"], loss["D/loss_gp"] = d_loss_cls.item(), d_loss_gp.item()

    # Train the generator (when (i + 1) % n_critic == 0).
    if (i + 1) % self.n_critic == 0:
      x_fake = self.G(x_real, c_trg)
      out_src, out_cls = self.D(x_fake)
      g_loss_fake = -torch.mean(out_src)
      g_loss_cls = classification_loss(out_cls, label_trg)
      x_reconst = self.G(x_fake, c_org)
      g_loss_rec = torch.mean(torch.abs(x_real - x_reconst))
      g_loss = g_loss_fake + self.lambda_rec * g_loss_rec + self.lambda_cls * g_loss_cls
      self.reset_grad()
      g_loss.backward()
      self.g_optimizer.step()
      loss["G/loss_fake"], loss["G/loss_rec"] = g_loss_fake.item(), g_loss_rec.item()
      loss["G/loss_cls"] = g_loss_cls.item()
    return loss
