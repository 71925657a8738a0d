"""BigGAN training (Brock et al. 2019) in PyTorch, written from the behaviour of
ajbrock/BigGAN-PyTorch `train_fns.py` GAN_training_function, `losses.py` (hinge), `utils.py`
ema and the Adam of `BigGAN.py`, on the G and D of torch_reference/biggan.py. A reference for
the speed comparison and the step-equality tests (torch is optional).

Code names -> paper symbols -> official names:
  G(z, shared(y~)), D(x, y): the nets (torch_reference/biggan.py)   G, D; G_D joins them
  D step: D on cat([G(z, y~), x]) with classes cat([y~, y]) in one pass, G under no_grad;
    D_real = mean relu(1 - D(x, y)), D_fake = mean relu(1 + D(G(z, y~), y~))  loss_hinge_dis
  G step on a fresh (z, y~), D's parameters frozen: G_adv = -mean D(G(z, y~), y~)  loss_hinge_gen
  z ~ N(0, I), y~ ~ U{0..K-1}, drawn before each step                 z_.sample_(), y_.sample_()
  Adam(lr, (beta1, beta2), eps) per net                               G.optim / D.optim
  G_ema: ema.update(itr), decay 0 while itr < start_itr (a copy)      utils.ema
Official GAN_training_function takes num_D_steps D steps (each on its own slice of the loaded
batch), then one G step. `optimize_parameters` is one step of this library's trainer: one D step
on the given batch and, every `num_D_steps`-th call ((i + 1) % num_D_steps == 0, as the
trainer's phases), the G step and the EMA update after it. No gradient accumulation
(num_{G,D}_accumulations 1), no orthogonal regularisation (--G_ortho / --D_ortho 0), no
split_D, float32.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn import functional as F

from tfgan_repro.torch_reference.biggan import Discriminator, Generator


def toggle_grad(net: nn.Module, on: bool) -> None:
  """Official utils.toggle_grad."""
  for param in net.parameters():
    param.requires_grad = on


class BigGANModel:
  """G, D, their Adams and G_ema, with one trainer step of the official training function as
  `optimize_parameters`. generator / discriminator: torch_reference.biggan Generator /
  Discriminator keywords; ema_decay None: no G_ema."""

  def __init__(
    self,
    *,
    generator: dict,
    discriminator: dict,
    g_lr: float = 1e-4,  # launch_BigGAN_bs256x8.sh --G_lr 1e-4
    d_lr: float = 4e-4,  # --D_lr 4e-4
    betas: tuple[float, float] = (0.0, 0.999),  # utils.py --G_B1 / --D_B1 0, --G_B2 / --D_B2 0.999
    adam_eps: float = 1e-6,  # --adam_eps 1e-6
    num_d_steps: int = 1,  # --num_D_steps 1
    ema_decay: float | None = 0.9999,  # utils.py --ema_decay 0.9999
    ema_start: int = 20_000,  # --ema_start 20000
  ):
    self.G = Generator(**generator).train()
    self.D = Discriminator(**discriminator).train()
    self.G_ema = copy.deepcopy(self.G) if ema_decay is not None else None
    self.dim_z = generator["dim_z"]
    self.n_classes = generator["n_classes"]
    self.optim_G = torch.optim.Adam(
      self.G.parameters(), lr=g_lr, betas=betas, weight_decay=0, eps=adam_eps
    )
    self.optim_D = torch.optim.Adam(
      self.D.parameters(), lr=d_lr, betas=betas, weight_decay=0, eps=adam_eps
    )
    self.num_d_steps, self.ema_decay, self.ema_start = num_d_steps, ema_decay, ema_start
    self.step = 0  # D steps taken
    self.itr = 0  # official state_dict['itr']: G steps taken

  @property
  def nets(self) -> dict[str, nn.Module]:
    return {"G": self.G, "D": self.D}

  def num_parameters(self) -> int:
    return sum(p.numel() for net in self.nets.values() for p in net.parameters())

  def _sample(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Official utils.prepare_z_y: z ~ N(0, 1), y~ uniform over the classes."""
    return torch.randn(n, self.dim_z), torch.randint(0, self.n_classes, (n,))

  def _update_ema(self) -> None:
    """Official utils.ema.update(itr): target = source (1 - decay) + target decay over the
    state dict (buffers too), decay 0 while itr < start_itr."""
    decay = 0.0 if self.itr < self.ema_start else self.ema_decay
    with torch.no_grad():
      source = self.G.state_dict()
      for key, target in self.G_ema.state_dict().items():
        target.copy_(target * decay + source[key] * (1 - decay))

  def optimize_parameters(
    self,
    real: torch.Tensor,
    labels: torch.Tensor,
    latents: tuple[tuple[torch.Tensor, torch.Tensor], ...] | None = None,
  ) -> dict[str, float]:
    """One trainer step on `real` [N, 3, S, S] of classes `labels` [N]: the D step, then the G
    step when due. `latents`: ((z, y~) of the D step, (z, y~) of the G step), drawn as the
    official loop if None. Returns D_real and D_fake, and G_adv when G stepped."""
    n = real.shape[0]
    labels = labels.reshape(-1).long()
    draws = latents if latents is not None else (self._sample(n), self._sample(n))
    toggle_grad(self.D, True)
    toggle_grad(self.G, False)
    self.optim_D.zero_grad()
    z, y_fake = draws[0]
    with torch.no_grad():  # official G_D(train_G=False)
      fake = self.G(z, self.G.shared(y_fake.long()))
    out = self.D(torch.cat([fake, real], 0), torch.cat([y_fake.long(), labels], 0))
    d_fake, d_real = torch.split(out, [n, n])
    loss_real = torch.mean(F.relu(1.0 - d_real))
    loss_fake = torch.mean(F.relu(1.0 + d_fake))
    (loss_real + loss_fake).backward()
    self.optim_D.step()
    logs = {"D_real": loss_real.item(), "D_fake": loss_fake.item()}
    self.step += 1
    if self.step % self.num_d_steps:
      return logs
    toggle_grad(self.D, False)
    toggle_grad(self.G, True)
    self.optim_G.zero_grad()
    z, y_fake = draws[1]
    fake = self.G(z, self.G.shared(y_fake.long()))
    loss_g = -torch.mean(self.D(fake, y_fake.long()))
    loss_g.backward()
    self.optim_G.step()
    self.itr += 1
    if self.G_ema is not None:
      self._update_ema()
    logs["G_adv"] = loss_g.item()
    return logs
