"""StyleGAN2 training (Karras et al. 2020, config F) in PyTorch, written from the behaviour of
NVlabs/stylegan2-ada-pytorch: the residual discriminator of `training/networks.py` and one
iteration of `training/training_loop.py` with `training/loss.py` StyleGAN2Loss, without
augmentation. A reference for the speed comparison and the step-equality tests (torch is
optional); the generator is torch_reference/stylegan2.py `Generator` (noise_mode "random" in
its SynthesisLayers when training draws noise, as the official loop).

Code names -> paper symbols -> official names:
  Conv2dLayer: weight [out, in, k, k] ~ N(0, 1) used times 1 / sqrt(in k k)   Conv2dLayer
    (equalised lr), bias 0; down 2: FIR [1, 3, 3, 1] low-pass, then a stride-2 conv (1x1: filter
    and drop pixels, then conv); activation lrelu(0.2) sqrt(2) times `gain`     conv2d_resample
  DiscriminatorBlock: fromrgb (first block), conv0, conv1 (down), skip (1x1,   DiscriminatorBlock
    down, no bias, linear); out = skip(x) sqrt(0.5) + conv1(conv0(x)) sqrt(0.5)  ('resnet')
  MinibatchStdLayer: std over groups of min(G, N), averaged per channel group   MinibatchStdLayer
  DiscriminatorEpilogue: mbstd, conv 3x3, fc (C 16 -> C), out (C -> 1)    DiscriminatorEpilogue
  StyleGAN2Model.optimize_parameters: one training-loop iteration (phases Gmain, Greg, Dmain,
    Dreg; lazy regularisation, Sec. 3.1 and 3.2; R1, Mescheder et al. 2018; G EMA)
Official options left out, as in the Keras nets: num_fp16_res 4 / conv_clamp 256 (train.py sets
them for every cfg, --fp32 turns both off: here float32 without clamping), conditioning (c_dim
0), the 'orig' / 'skip' D architectures, the augment pipe.

A phase of interval k runs at the iterations i with (i + 1) % k == 0, as this library's trainer
(official: i % k == 0), so that both sides regularise at the same step counter.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.nn import functional as F

from tfgan_repro.torch_reference.stylegan2 import (
  LRELU_GAIN,
  LRELU_SLOPE,
  FullyConnectedLayer,
  Generator,
  SynthesisLayer,
  channels_of,
  fir_filter,
  upfirdn2d,
)

RESIDUAL_GAIN = math.sqrt(0.5)  # official DiscriminatorBlock gain=np.sqrt(0.5)
MBSTD_EPS = 1e-8  # official MinibatchStdLayer (y + 1e-8).sqrt()
LAZY_PHASES = ("Gmain", "Greg", "Dmain", "Dreg")  # official training_loop phase order
ADAM_EPS = 1e-8  # official train.py G_opt_kwargs / D_opt_kwargs eps=1e-8
NAN_TO_NUM = (0.0, 1e5, -1e5)  # official training_loop nan_to_num(nan=0, posinf=1e5, neginf=-1e5)


class Conv2dLayer(nn.Module):
  """Official Conv2dLayer (module docstring); forward(x, gain)."""

  def __init__(
    self, cin: int, cout: int, k: int, *, bias: bool = True, lrelu: bool = True, down: int = 1
  ):
    super().__init__()
    self.weight = nn.Parameter(torch.randn([cout, cin, k, k]))
    self.bias = nn.Parameter(torch.zeros([cout])) if bias else None
    self.register_buffer("resample_filter", fir_filter())
    self.weight_gain = 1 / math.sqrt(cin * k * k)
    self.k, self.down, self.lrelu = k, down, lrelu

  def forward(self, x: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    w = self.weight * self.weight_gain
    if self.down == 1:
      x = F.conv2d(x, w, padding=self.k // 2)
    else:  # official padding k // 2 + (4 - 2 + 1) // 2 before, k // 2 + (4 - 2) // 2 after
      p = self.k // 2 + 1
      x = upfirdn2d(x, self.resample_filter, 1, (p, p, p, p), 1.0)
      if self.k == 1:
        x = F.conv2d(x[:, :, ::2, ::2], w)
      else:
        x = F.conv2d(x, w, stride=2)
    if self.bias is not None:
      x = x + self.bias[None, :, None, None]
    return F.leaky_relu(x, LRELU_SLOPE) * (LRELU_GAIN * gain) if self.lrelu else x * gain


class DiscriminatorBlock(nn.Module):
  """Official DiscriminatorBlock, architecture 'resnet' (fromrgb in the first block only)."""

  def __init__(self, cin: int, tmp: int, cout: int, img_channels: int):
    super().__init__()
    self.cin = cin
    if cin == 0:
      self.fromrgb = Conv2dLayer(img_channels, tmp, 1)
    self.conv0 = Conv2dLayer(tmp, tmp, 3)
    self.conv1 = Conv2dLayer(tmp, cout, 3, down=2)
    self.skip = Conv2dLayer(tmp, cout, 1, bias=False, lrelu=False, down=2)

  def forward(self, x: torch.Tensor | None, img: torch.Tensor) -> torch.Tensor:
    if self.cin == 0:
      x = self.fromrgb(img)
    y = self.skip(x, gain=RESIDUAL_GAIN)
    x = self.conv1(self.conv0(x), gain=RESIDUAL_GAIN)
    return y + x


class MinibatchStdLayer(nn.Module):
  """Official MinibatchStdLayer: [N, C, H, W] -> [N, C + F, H, W]."""

  def __init__(self, group_size: int, num_channels: int):
    super().__init__()
    self.group_size, self.num_channels = group_size, num_channels

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    g, f = min(self.group_size, n), self.num_channels
    y = x.reshape(g, -1, f, c // f, h, w)  # [G, M, F, C / F, H, W]
    y = (y - y.mean(dim=0)).square().mean(dim=0)  # [M, F, C / F, H, W]
    y = (y + MBSTD_EPS).sqrt().mean(dim=[2, 3, 4])  # [M, F]
    y = y.reshape(-1, f, 1, 1).repeat(g, 1, h, w)  # [N, F, H, W]
    return torch.cat([x, y], dim=1)


class DiscriminatorEpilogue(nn.Module):
  """Official DiscriminatorEpilogue ('resnet', no conditioning): mbstd, conv, fc, out."""

  def __init__(self, channels: int, mbstd_group_size: int, mbstd_num_channels: int):
    super().__init__()
    self.mbstd = (
      MinibatchStdLayer(mbstd_group_size, mbstd_num_channels) if mbstd_num_channels else None
    )
    self.conv = Conv2dLayer(channels + mbstd_num_channels, channels, 3)
    self.fc = FullyConnectedLayer(channels * 4**2, channels)
    self.out = FullyConnectedLayer(channels, 1)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    if self.mbstd is not None:
      x = self.mbstd(x)
    x = self.conv(x)
    return self.out(self.fc(x.flatten(1), activation=True))  # flatten: official C, H, W order


class Discriminator(nn.Module):
  """Official Discriminator ('resnet'): b{img_resolution} .. b8 DiscriminatorBlocks, b4 the
  epilogue; images [N, C, S, S] -> logits [N, 1]."""

  def __init__(
    self,
    *,
    img_resolution: int,
    img_channels: int = 3,
    channel_base: int = 32768,  # official Discriminator channel_base (fmaps 1)
    channel_max: int = 512,  # official channel_max
    mbstd_group_size: int = 4,  # official cfg_specs 'stylegan2' mbstd=4
    mbstd_num_channels: int = 1,  # official DiscriminatorEpilogue mbstd_num_channels=1
  ):
    super().__init__()
    channels = channels_of(img_resolution, channel_base, channel_max)
    self.resolutions = [res for res in sorted(channels, reverse=True) if res > 4]
    for res in self.resolutions:
      cin = channels[res] if res < img_resolution else 0
      block = DiscriminatorBlock(cin, channels[res], channels[res // 2], img_channels)
      setattr(self, f"b{res}", block)
    self.b4 = DiscriminatorEpilogue(channels[4], mbstd_group_size, mbstd_num_channels)

  def forward(self, img: torch.Tensor) -> torch.Tensor:
    x = None
    for res in self.resolutions:
      x = getattr(self, f"b{res}")(x, img)
    return self.b4(x)


def lazy_adam(params, lr: float, betas: tuple[float, float], reg_interval: int) -> torch.optim.Adam:
  """Official training_loop.py: mb_ratio = k / (k + 1); Adam(lr mb_ratio, betas ** mb_ratio)."""
  c = reg_interval / (reg_interval + 1)
  return torch.optim.Adam(params, lr=lr * c, betas=(betas[0] ** c, betas[1] ** c), eps=ADAM_EPS)


class StyleGAN2Model:
  """G, D, G_ema, the two lazy Adams and pl_mean, with one training iteration as
  `optimize_parameters`. Arguments: the official Generator / Discriminator / StyleGAN2Loss /
  training_loop ones (`ema_kimg` 0: no G_ema; `noise_mode` of G's layers while training)."""

  def __init__(
    self,
    *,
    generator: dict,
    discriminator: dict,
    batch_size: int,
    r1_gamma: float = 10.0,  # official cfg_specs 'stylegan2' gamma=10
    pl_weight: float = 2.0,  # official StyleGAN2Loss pl_weight=2
    pl_decay: float = 0.01,  # official pl_decay=0.01
    pl_batch_shrink: int = 2,  # official pl_batch_shrink=2
    style_mixing_prob: float = 0.9,  # official style_mixing_prob=0.9
    g_reg_interval: int = 4,  # official G_reg_interval=4
    d_reg_interval: int = 16,  # official D_reg_interval=16
    lr: float = 0.002,  # official cfg_specs 'stylegan2' lrate=0.002
    betas: tuple[float, float] = (0.0, 0.99),  # official G_opt_kwargs betas=[0, 0.99]
    ema_kimg: float = 10.0,  # official cfg_specs 'stylegan2' ema=10
    ema_rampup: float | None = None,  # official cfg_specs 'stylegan2' ramp=None
    w_avg_beta: float = 0.995,  # official MappingNetwork w_avg_beta=0.995
    noise_mode: str = "random",  # official SynthesisLayer.forward noise_mode='random'
  ):
    self.G = Generator(**generator).train().requires_grad_(False)
    self.D = Discriminator(**discriminator).train().requires_grad_(False)
    for layer in self.G.modules():
      if isinstance(layer, SynthesisLayer):
        layer.noise_mode = noise_mode
    self.G_ema = copy.deepcopy(self.G).eval() if ema_kimg else None
    self.z_dim, self.num_ws = generator["z_dim"], self.G.synthesis.num_ws
    self.batch_size = batch_size
    self.r1_gamma, self.pl_weight, self.pl_decay = r1_gamma, pl_weight, pl_decay
    self.pl_batch_shrink, self.style_mixing_prob = pl_batch_shrink, style_mixing_prob
    self.intervals = {"Gmain": 1, "Greg": g_reg_interval, "Dmain": 1, "Dreg": d_reg_interval}
    self.ema_kimg, self.ema_rampup, self.w_avg_beta = ema_kimg, ema_rampup, w_avg_beta
    self.opt_G = lazy_adam(self.G.parameters(), lr, betas, g_reg_interval)
    self.opt_D = lazy_adam(self.D.parameters(), lr, betas, d_reg_interval)
    self.pl_mean = torch.zeros([])
    self.step = 0  # official batch_idx
    self.cur_nimg = 0

  @property
  def nets(self) -> dict[str, nn.Module]:
    return {"G": self.G, "D": self.D}

  def num_parameters(self) -> int:
    return sum(p.numel() for net in self.nets.values() for p in net.parameters())

  # ---- official StyleGAN2Loss ----------------------------------------------------------------
  def mapping(self, z: torch.Tensor, update_w_avg: bool = True) -> torch.Tensor:
    """ws [N, num_ws, w_dim] of z (official MappingNetwork in training mode: w_avg moves
    towards the batch mean of w unless skip_w_avg_update; psi 1)."""
    w = self.G.mapping(z)
    if update_w_avg:
      avg = self.G.mapping.w_avg
      avg.copy_(w.detach().mean(dim=0).lerp(avg, self.w_avg_beta))
    return w[:, None].repeat(1, self.num_ws, 1)

  def run_G(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(images, ws) with style mixing (official run_G: a cutoff uniform in [1, num_ws) with
    probability style_mixing_prob, the ws past it from a second z)."""
    ws = self.mapping(z)
    if self.style_mixing_prob > 0:
      cutoff = torch.empty([], dtype=torch.int64).random_(1, self.num_ws)
      cutoff = torch.where(
        torch.rand([]) < self.style_mixing_prob, cutoff, torch.full_like(cutoff, self.num_ws)
      )
      ws[:, cutoff:] = self.mapping(torch.randn_like(z), update_w_avg=False)[:, cutoff:]
    return self.G.synthesis(ws), ws

  def _phase(self, name: str, real: torch.Tensor, z: torch.Tensor, pl_noise) -> dict:
    """Official accumulate_gradients of one phase (gain = its interval); the logged losses."""
    gain = self.intervals[name]
    if name == "Gmain":
      img, _ = self.run_G(z)
      loss = F.softplus(-self.D(img))  # official loss_Gmain
      loss.mean().mul(gain).backward()
      return {"G_adv": loss.mean().item()}
    if name == "Greg":
      m = z.shape[0] // self.pl_batch_shrink
      img, ws = self.run_G(z[:m])
      noise = torch.randn_like(img) if pl_noise is None else pl_noise
      noise = noise / math.sqrt(img.shape[2] * img.shape[3])
      (grads,) = torch.autograd.grad([(img * noise).sum()], [ws], create_graph=True)
      lengths = grads.square().sum(2).mean(1).sqrt()  # [m]
      pl_mean = self.pl_mean.lerp(lengths.mean(), self.pl_decay)
      self.pl_mean.copy_(pl_mean.detach())
      loss = (lengths - pl_mean).square() * self.pl_weight  # official loss_Gpl
      (img[:, 0, 0, 0] * 0 + loss).mean().mul(gain).backward()
      return {"G_pl": loss.mean().item(), "pl_length": lengths.mean().item()}
    if name == "Dmain":
      with torch.no_grad():  # official: G.requires_grad_(False) in D's phases
        img, _ = self.run_G(z)
      loss_gen = F.softplus(self.D(img))  # official loss_Dgen
      loss_gen.mean().mul(gain).backward()
      logits = self.D(real.detach())
      loss_real = F.softplus(-logits)  # official loss_Dreal
      (logits * 0 + loss_real).mean().mul(gain).backward()
      return {"D_fake": loss_gen.mean().item(), "D_real": loss_real.mean().item()}
    real = real.detach().requires_grad_(True)
    logits = self.D(real)
    (grads,) = torch.autograd.grad([logits.sum()], [real], create_graph=True)
    loss = grads.square().sum([1, 2, 3]) * (self.r1_gamma / 2)  # official loss_Dr1
    (logits * 0 + loss).mean().mul(gain).backward()
    return {"D_reg": loss.mean().item()}

  def _update_ema(self) -> None:
    """Official: ema_nimg = ema_kimg 1000 (capped at cur_nimg ema_rampup), beta = 0.5 **
    (batch / ema_nimg); parameters lerp, buffers copied."""
    ema_nimg = self.ema_kimg * 1000
    if self.ema_rampup is not None:
      ema_nimg = min(ema_nimg, self.cur_nimg * self.ema_rampup)
    beta = 0.5 ** (self.batch_size / max(ema_nimg, 1e-8))
    with torch.no_grad():
      for p_ema, p in zip(self.G_ema.parameters(), self.G.parameters(), strict=True):
        p_ema.copy_(p.lerp(p_ema, beta))
      for b_ema, b in zip(self.G_ema.buffers(), self.G.buffers(), strict=True):
        b_ema.copy_(b)

  def optimize_parameters(
    self,
    real: torch.Tensor,
    latents: dict[str, torch.Tensor] | None = None,
    pl_noise: torch.Tensor | None = None,
  ) -> dict[str, float]:
    """One iteration on `real` [N, C, S, S]: each due phase (module docstring) zeroes its
    player's gradients, accumulates its loss times its interval, sanitises the gradients and
    steps its Adam; then the G_ema update. `latents`: phase name -> z [N, z_dim] (the official
    all_gen_z, one torch.randn batch per phase, if None); `pl_noise` [N / pl_batch_shrink, C, S,
    S]: Greg's N(0, 1) draw. Returns the losses of the phases that ran (batch means, before the
    interval gain)."""
    n = real.shape[0]
    if latents is None:
      latents = dict(zip(LAZY_PHASES, torch.randn([len(LAZY_PHASES), n, self.z_dim]), strict=True))
    logs = {}
    for name in LAZY_PHASES:
      if (self.step + 1) % self.intervals[name]:
        continue
      if (name == "Greg" and not self.pl_weight) or (name == "Dreg" and not self.r1_gamma):
        continue
      module, opt = (self.G, self.opt_G) if name.startswith("G") else (self.D, self.opt_D)
      opt.zero_grad(set_to_none=True)
      module.requires_grad_(True)
      logs.update(self._phase(name, real, latents.get(name), pl_noise))
      module.requires_grad_(False)
      for param in module.parameters():
        if param.grad is not None:
          torch.nan_to_num(param.grad, *NAN_TO_NUM, out=param.grad)
      opt.step()
    if self.G_ema is not None:
      self._update_ema()
    self.cur_nimg += n
    self.step += 1
    return logs
