"""BigGAN's G and D in PyTorch, written from the behaviour of ajbrock/BigGAN-PyTorch (`BigGAN.py`
Generator / Discriminator, `layers.py`): the same module tree, so the state_dict keys and shapes
are the official ones (`shared`, `linear`, `blocks.{i}.0` GBlock / DBlock, `blocks.{i}.1`
Attention, `output_layer.{0, 2}`, `embed`; SN buffers `u0` [1, out] and `sv0` [1]; BN buffers
`stored_mean` / `stored_var`). A reference for the checkpoint import parity test and the official
parameter counts (torch is optional).

Spectral norm as the official `SN.W_`: W viewed as [out, fan_in]; one power-iteration step from
the stored u (v = normalize(u W), u' = normalize(v W^T), sigma = v W^T u'^T); training mode stores
u' in `u0` and sigma in `sv0`, eval mode stores nothing (but still takes the step from u0).
Batch norm: F.batch_norm with momentum 0.1; the class-conditional one (`ccbn`) has no affine
parameters of its own and scales by 1 + gain(y), shifts by bias(y) (bias-free SN linears).
Only the options of the paper's configuration: G_shared, SN in G and D, norm_style 'bn', ReLU,
one singular value.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tfgan_repro.nets.biggan import BOTTOM_WIDTH, D_ARCH, G_ARCH


class _SpectralNorm:
  """The official SN mixin: buffers u0 [1, num_outputs] ~ N(0, 1) and sv0 [1] = 1."""

  def _init_sn(self, num_outputs: int, eps: float) -> None:
    self.sn_eps = eps
    self.register_buffer("u0", torch.randn(1, num_outputs))
    self.register_buffer("sv0", torch.ones(1))

  def sn_weight(self) -> torch.Tensor:
    w = self.weight.view(self.weight.size(0), -1)  # [out, fan_in]
    with torch.no_grad():
      v = F.normalize(self.u0 @ w, eps=self.sn_eps)  # [1, fan_in]
      u = F.normalize(v @ w.t(), eps=self.sn_eps)  # [1, out]
      if self.training:
        self.u0[:] = u
    sigma = torch.squeeze((v @ w.t()) @ u.t())
    if self.training:
      self.sv0[:] = sigma.detach()
    return self.weight / sigma


class SNConv2d(nn.Conv2d, _SpectralNorm):
  def __init__(self, cin: int, cout: int, k: int = 3, bias: bool = True, eps: float = 1e-12):
    nn.Conv2d.__init__(self, cin, cout, k, padding=k // 2, bias=bias)
    self._init_sn(cout, eps)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return F.conv2d(x, self.sn_weight(), self.bias, padding=self.padding)


class SNLinear(nn.Linear, _SpectralNorm):
  def __init__(self, fin: int, fout: int, bias: bool = True, eps: float = 1e-12):
    nn.Linear.__init__(self, fin, fout, bias)
    self._init_sn(fout, eps)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return F.linear(x, self.sn_weight(), self.bias)


class SNEmbedding(nn.Embedding, _SpectralNorm):
  """u over the classes (the official passes num_embeddings as num_outputs)."""

  def __init__(self, n: int, dim: int, eps: float = 1e-12):
    nn.Embedding.__init__(self, n, dim)
    self._init_sn(n, eps)

  def forward(self, y: torch.Tensor) -> torch.Tensor:
    return F.embedding(y, self.sn_weight())


class Attention(nn.Module):
  """SAGAN's non-local block: theta, phi (C/8), g (C/2), o (C/2 -> C), bias-free 1x1 SN convs,
  phi and g max-pooled 2x2, gamma 0."""

  def __init__(self, ch: int, eps: float):
    super().__init__()
    self.ch = ch
    self.theta = SNConv2d(ch, ch // 8, 1, bias=False, eps=eps)
    self.phi = SNConv2d(ch, ch // 8, 1, bias=False, eps=eps)
    self.g = SNConv2d(ch, ch // 2, 1, bias=False, eps=eps)
    self.o = SNConv2d(ch // 2, ch, 1, bias=False, eps=eps)
    self.gamma = nn.Parameter(torch.tensor(0.0))

  def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
    n, c, h, w = x.shape
    theta = self.theta(x).view(n, c // 8, h * w)
    phi = F.max_pool2d(self.phi(x), 2).view(n, c // 8, h * w // 4)
    g = F.max_pool2d(self.g(x), 2).view(n, c // 2, h * w // 4)
    beta = F.softmax(theta.transpose(1, 2) @ phi, -1)  # [n, hw, hw/4]
    o = self.o((g @ beta.transpose(1, 2)).view(n, c // 2, h, w))
    return x + self.gamma * o


class ccbn(nn.Module):  # noqa: N801 (the official class name: state_dict keys follow it)
  def __init__(self, channels: int, cond: int, eps: float, sn_eps: float):
    super().__init__()
    self.gain = SNLinear(cond, channels, bias=False, eps=sn_eps)
    self.bias = SNLinear(cond, channels, bias=False, eps=sn_eps)
    self.eps = eps
    self.register_buffer("stored_mean", torch.zeros(channels))
    self.register_buffer("stored_var", torch.ones(channels))

  def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    gain = (1 + self.gain(y))[:, :, None, None]
    bias = self.bias(y)[:, :, None, None]
    out = F.batch_norm(
      x, self.stored_mean, self.stored_var, None, None, self.training, 0.1, self.eps
    )
    return out * gain + bias


class bn(nn.Module):  # noqa: N801 (the official class name)
  def __init__(self, channels: int, eps: float = 1e-5):
    super().__init__()
    self.gain = nn.Parameter(torch.ones(channels))
    self.bias = nn.Parameter(torch.zeros(channels))
    self.eps = eps
    self.register_buffer("stored_mean", torch.zeros(channels))
    self.register_buffer("stored_var", torch.ones(channels))

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return F.batch_norm(
      x, self.stored_mean, self.stored_var, self.gain, self.bias, self.training, 0.1, self.eps
    )


class GBlock(nn.Module):
  def __init__(self, cin: int, cout: int, cond: int, bn_eps: float, sn_eps: float):
    super().__init__()
    self.conv1 = SNConv2d(cin, cout, eps=sn_eps)
    self.conv2 = SNConv2d(cout, cout, eps=sn_eps)
    self.conv_sc = SNConv2d(cin, cout, 1, eps=sn_eps)
    self.bn1 = ccbn(cin, cond, bn_eps, sn_eps)
    self.bn2 = ccbn(cout, cond, bn_eps, sn_eps)

  def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    h = F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2)
    x = F.interpolate(x, scale_factor=2)
    h = self.conv2(F.relu(self.bn2(self.conv1(h), y)))
    return h + self.conv_sc(x)


class DBlock(nn.Module):
  def __init__(self, cin: int, cout: int, preactivation: bool, downsample: bool, sn_eps: float):
    super().__init__()
    self.preactivation, self.downsample = preactivation, downsample
    self.conv1 = SNConv2d(cin, cout, eps=sn_eps)
    self.conv2 = SNConv2d(cout, cout, eps=sn_eps)
    self.learnable_sc = cin != cout or downsample
    if self.learnable_sc:
      self.conv_sc = SNConv2d(cin, cout, 1, eps=sn_eps)

  def _down(self, x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, 2) if self.downsample else x

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    h = F.relu(x) if self.preactivation else x
    h = self._down(self.conv2(F.relu(self.conv1(h))))
    if self.preactivation:
      s = self._down(self.conv_sc(x) if self.learnable_sc else x)
    else:
      s = self._down(x)
      s = self.conv_sc(s) if self.learnable_sc else s
    return h + s


def _ortho(net: nn.Module) -> None:
  """Official init_weights with init 'ortho': orthogonal_ on conv / linear / embedding weights."""
  for m in net.modules():
    if isinstance(m, (nn.Conv2d, nn.Linear, nn.Embedding)):
      nn.init.orthogonal_(m.weight)


class Generator(nn.Module):
  """forward(z [N, dim_z], shared(y) [N, shared_dim]) -> [N, 3, S, S], as the official (its
  callers embed y with G.shared first)."""

  def __init__(
    self,
    ch: int = 96,
    dim_z: int = 120,
    shared_dim: int = 128,
    resolution: int = 128,
    attention: tuple[int, ...] = (64,),
    n_classes: int = 1000,
    hier: bool = True,
    bn_eps: float = 1e-5,
    sn_eps: float = 1e-6,
  ):
    super().__init__()
    in_mult, out_mult = G_ARCH[resolution]
    self.hier = hier
    self.num_slots = len(out_mult) + 1 if hier else 1
    self.z_chunk_size = dim_z // self.num_slots if hier else 0
    cond = shared_dim + self.z_chunk_size
    self.shared = nn.Embedding(n_classes, shared_dim)
    width = in_mult[0] * ch
    self.linear = SNLinear(dim_z // self.num_slots, width * BOTTOM_WIDTH**2, eps=sn_eps)
    blocks = []
    for i, (a, b) in enumerate(zip(in_mult, out_mult, strict=True)):
      block = [GBlock(a * ch, b * ch, cond, bn_eps, sn_eps)]
      if 8 * 2**i in attention:
        block.append(Attention(b * ch, sn_eps))
      blocks.append(nn.ModuleList(block))
    self.blocks = nn.ModuleList(blocks)
    self.output_layer = nn.Sequential(
      bn(out_mult[-1] * ch, bn_eps), nn.ReLU(), SNConv2d(out_mult[-1] * ch, 3, eps=sn_eps)
    )
    _ortho(self)

  def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if self.hier:
      zs = torch.split(z, self.z_chunk_size, 1)
      z, ys = zs[0], [torch.cat([y, chunk], 1) for chunk in zs[1:]]
    else:
      ys = [y] * len(self.blocks)
    h = self.linear(z).view(z.size(0), -1, BOTTOM_WIDTH, BOTTOM_WIDTH)
    for blocklist, y_i in zip(self.blocks, ys, strict=True):
      for block in blocklist:
        h = block(h, y_i)
    return torch.tanh(self.output_layer(h))


class Discriminator(nn.Module):
  """forward(x [N, 3, S, S], y int64 [N]) -> logits [N, 1]."""

  def __init__(
    self,
    ch: int = 96,
    resolution: int = 128,
    attention: tuple[int, ...] = (64,),
    n_classes: int = 1000,
    sn_eps: float = 1e-6,
  ):
    super().__init__()
    out_mult, downs, resolutions = D_ARCH[resolution]
    blocks, cin = [], 3
    for i, (mult, down, res) in enumerate(zip(out_mult, downs, resolutions, strict=True)):
      block: list[nn.Module] = [DBlock(cin, mult * ch, i > 0, down, sn_eps)]
      if res in attention:
        block.append(Attention(mult * ch, sn_eps))
      blocks.append(nn.ModuleList(block))
      cin = mult * ch
    self.blocks = nn.ModuleList(blocks)
    self.linear = SNLinear(cin, 1, eps=sn_eps)
    self.embed = SNEmbedding(n_classes, cin, eps=sn_eps)
    _ortho(self)

  def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    h = x
    for blocklist in self.blocks:
      for block in blocklist:
        h = block(h)
    h = torch.sum(F.relu(h), [2, 3])
    return self.linear(h) + torch.sum(self.embed(y) * h, 1, keepdim=True)
