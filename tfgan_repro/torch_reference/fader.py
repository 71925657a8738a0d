"""Fader Networks in PyTorch, written from the behaviour of facebookresearch/FaderNetworks:
`src/model.py` (build_layers, AutoEncoder, LatentDiscriminator, PatchDiscriminator, get_attr_loss,
flip_attributes' random classes given by the caller) and `src/training.py` (Trainer.lat_dis_step,
ptc_dis_step, autoencoder_step, get_lambda, step), with the official defaults of train.py
(--n_skip 0, --deconv_method convtranspose, --instance_norm False, --dec_dropout 0). Attributes
are the official one-hot layout: 2 classes per binary attribute (`dummy`). A reference for the
step-equality tests (torch is optional)."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import clip_grad_norm_


def build_layers(
  img_fm: int, init_fm: int, max_fm: int, n_layers: int, n_attr: int, enc_dropout: float
) -> tuple[list[nn.Sequential], list[nn.Sequential]]:
  """Official build_layers (n_skip 0, convtranspose, batch norm, dec_dropout 0): encoder layers
  Conv2d(4, 2, 1) [BN] LeakyReLU(0.2) [Dropout], decoder layers (mirrored, first = deepest)
  ConvTranspose2d(4, 2, 1, no bias) then BN ReLU, or Tanh for the image layer."""
  enc_layers, dec_layers = [], []
  n_in, n_out = img_fm, init_fm
  for i in range(n_layers):
    enc = [nn.Conv2d(n_in, n_out, 4, 2, 1)]
    if i > 0:
      enc.append(nn.BatchNorm2d(n_out, affine=True))
    enc.append(nn.LeakyReLU(0.2, inplace=True))
    if enc_dropout > 0:
      enc.append(nn.Dropout(enc_dropout))
    dec = [nn.ConvTranspose2d(n_out + n_attr, n_in, 4, 2, 1, bias=False)]
    if i > 0:
      dec += [nn.BatchNorm2d(n_in, affine=True), nn.ReLU(inplace=True)]
    else:
      dec.append(nn.Tanh())
    n_in, n_out = n_out, min(2 * n_out, max_fm)
    enc_layers.append(nn.Sequential(*enc))
    dec_layers.insert(0, nn.Sequential(*dec))
  return enc_layers, dec_layers


class AutoEncoder(nn.Module):
  """Official AutoEncoder: encode -> every layer's output; decode concatenates the attributes
  [N, n_attr] tiled over each decoder input, after its features."""

  def __init__(
    self,
    *,
    img_fm: int = 3,
    init_fm: int = 32,
    max_fm: int = 512,
    n_layers: int = 6,
    n_attr: int = 4,
  ):
    super().__init__()
    self.n_layers, self.n_attr = n_layers, n_attr
    enc_layers, dec_layers = build_layers(img_fm, init_fm, max_fm, n_layers, n_attr, 0.0)
    self.enc_layers = nn.ModuleList(enc_layers)
    self.dec_layers = nn.ModuleList(dec_layers)

  def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
    outputs = [x]
    for layer in self.enc_layers:
      outputs.append(layer(outputs[-1]))
    return outputs

  def decode(self, enc_outputs: list[torch.Tensor], y: torch.Tensor) -> list[torch.Tensor]:
    bs = enc_outputs[0].size(0)
    y = y.unsqueeze(2).unsqueeze(3)  # [N, n_attr, 1, 1]
    outputs = [enc_outputs[-1]]
    for layer in self.dec_layers:
      size = outputs[-1].size(2)
      outputs.append(layer(torch.cat([outputs[-1], y.expand(bs, self.n_attr, size, size)], 1)))
    return outputs

  def forward(self, x: torch.Tensor, y: torch.Tensor):
    enc_outputs = self.encode(x)
    return enc_outputs, self.decode(enc_outputs, y)


class LatentDiscriminator(nn.Module):
  """Official LatentDiscriminator: the encoder's layers n_layers..log2(img_sz)-1 (with Dropout)
  down to 1x1, then Linear(-> hid_dim), LeakyReLU(0.2), Linear(-> n_attr)."""

  def __init__(
    self,
    *,
    img_sz: int = 256,
    img_fm: int = 3,
    init_fm: int = 32,
    max_fm: int = 512,
    n_layers: int = 6,
    n_attr: int = 4,
    hid_dim: int = 512,
    dropout: float = 0.3,  # --lat_dis_dropout 0.3
  ):
    super().__init__()
    n_dis_layers = int(math.log2(img_sz))
    self.conv_out_fm = min(init_fm * 2 ** (n_dis_layers - 1), max_fm)
    enc_layers, _ = build_layers(img_fm, init_fm, max_fm, n_dis_layers, n_attr, dropout)
    self.conv_layers = nn.Sequential(*enc_layers[n_layers:])
    self.proj_layers = nn.Sequential(
      nn.Linear(self.conv_out_fm, hid_dim),
      nn.LeakyReLU(0.2, inplace=True),
      nn.Linear(hid_dim, n_attr),
    )

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    conv_output = self.conv_layers(x)
    return self.proj_layers(conv_output.view(x.size(0), self.conv_out_fm))


class PatchDiscriminator(nn.Module):
  """Official PatchDiscriminator: mean over patches of the sigmoid of a PatchGAN's logits."""

  def __init__(self, *, img_fm: int = 3, init_fm: int = 32, max_fm: int = 512):
    super().__init__()
    layers = [nn.Conv2d(img_fm, init_fm, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    n_in, n_out = init_fm, min(2 * init_fm, max_fm)
    n_patch_dis_layers = 3
    for n in range(n_patch_dis_layers):
      stride = 1 if n == n_patch_dis_layers - 1 else 2
      layers += [
        nn.Conv2d(n_in, n_out, 4, stride, 1),
        nn.BatchNorm2d(n_out),
        nn.LeakyReLU(0.2, True),
      ]
      if n < n_patch_dis_layers - 1:
        n_in, n_out = n_out, min(2 * n_out, max_fm)
    layers += [nn.Conv2d(n_out, 1, 4, 1, 1), nn.Sigmoid()]
    self.layers = nn.Sequential(*layers)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return self.layers(x).view(x.size(0), -1).mean(1).view(x.size(0))


def get_attr_loss(output: torch.Tensor, attributes: torch.Tensor, flip: bool) -> torch.Tensor:
  """Official get_attr_loss for binary attributes (n_cat 2 each): per attribute, the softmax
  cross-entropy (batch mean) of its 2 logits against its class, or against a different class
  (flip: a random shift in [1, n_cat), always 1 here); summed over attributes."""
  loss = 0
  for k in range(0, output.size(1), 2):
    y = attributes[:, k : k + 2].max(1)[1].view(-1)
    if flip:
      y = (y + torch.randint(0, 1, y.size()) + 1) % 2
    loss = loss + F.cross_entropy(output[:, k : k + 2].contiguous(), y)
  return loss


def dummy(attributes01: torch.Tensor) -> torch.Tensor:
  """{0, 1} [N, A] -> the official one-hot layout [N, 2A]: (1 - a, a) per attribute."""
  return torch.stack([1 - attributes01, attributes01], dim=2).reshape(attributes01.size(0), -1)


def get_optimizer(net: nn.Module, spec: str) -> torch.optim.Optimizer:
  """Official utils.get_optimizer for "adam,lr=...[,beta1=..,beta2=..]" (betas default (0.5,
  0.999)) and "sgd,lr=..."."""
  method, *options = spec.split(",")
  params = {key: float(value) for key, value in (option.split("=") for option in options)}
  if method == "adam":
    params["betas"] = (params.pop("beta1", 0.5), params.pop("beta2", 0.999))
    return torch.optim.Adam(net.parameters(), **params)
  if method == "sgd":
    return torch.optim.SGD(net.parameters(), **params)
  raise ValueError(f"unknown optimizer method {method!r}; valid: adam, sgd")


class Trainer:
  """Official Trainer: one optimizer per network (--ae_optimizer, --dis_optimizer: official
  "adam,lr=0.0002"), the lambdas ramped by get_lambda with n_total_iter, clip_grad_norm per
  network."""

  def __init__(
    self,
    *,
    ae: AutoEncoder,
    lat_dis: LatentDiscriminator | None,
    ptc_dis: PatchDiscriminator | None = None,
    ae_optimizer: str = "adam,lr=0.0002",  # --ae_optimizer
    dis_optimizer: str = "adam,lr=0.0002",  # --dis_optimizer
    lambda_ae: float = 1.0,  # --lambda_ae 1
    lambda_lat_dis: float = 1e-4,  # --lambda_lat_dis 0.0001
    lambda_ptc_dis: float = 0.0,  # --lambda_ptc_dis 0
    lambda_schedule: int = 500_000,  # --lambda_schedule 500000
    smooth_label: float = 0.2,  # --smooth_label 0.2
    clip_grad_norm: float = 5.0,  # --clip_grad_norm 5
  ):
    self.ae, self.lat_dis, self.ptc_dis = ae, lat_dis, ptc_dis
    self.ae_optimizer = get_optimizer(ae, ae_optimizer)
    self.lat_dis_optimizer = get_optimizer(lat_dis, dis_optimizer) if lat_dis is not None else None
    self.ptc_dis_optimizer = get_optimizer(ptc_dis, dis_optimizer) if ptc_dis is not None else None
    self.lambda_ae, self.lambda_lat_dis, self.lambda_ptc_dis = (
      lambda_ae,
      lambda_lat_dis,
      lambda_ptc_dis,
    )
    self.lambda_schedule, self.smooth_label = lambda_schedule, smooth_label
    self.clip_grad_norm = clip_grad_norm
    self.n_total_iter = 0
    self.grad_norms: dict[nn.Module, float] = {}  # the last gradient norm of each network

  def get_lambda(self, value: float) -> float:
    s = self.lambda_schedule
    return value if s == 0 else value * float(min(self.n_total_iter, s)) / s

  def _update(self, loss: torch.Tensor, net: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """zero_grad, backward, clip_grad_norm (its norm before clipping kept in grad_norms), step."""
    optimizer.zero_grad()
    loss.backward()
    if self.clip_grad_norm:
      self.grad_norms[net] = float(clip_grad_norm_(net.parameters(), self.clip_grad_norm))
    optimizer.step()

  def lat_dis_step(self, batch_x: torch.Tensor, batch_y: torch.Tensor) -> float:
    self.ae.eval()
    self.lat_dis.train()
    with torch.no_grad():
      enc_outputs = self.ae.encode(batch_x)
    preds = self.lat_dis(enc_outputs[-1].detach())
    loss = get_attr_loss(preds, batch_y, False)
    self._update(loss, self.lat_dis, self.lat_dis_optimizer)
    return loss.item()

  def ptc_dis_step(
    self, batch_x: torch.Tensor, batch_y: torch.Tensor, flipped: torch.Tensor
  ) -> float:
    """`flipped`: official flip_attributes(batch_y, params, 'all'), drawn by the caller."""
    self.ae.eval()
    self.ptc_dis.train()
    with torch.no_grad():
      _, dec_outputs = self.ae(batch_x, flipped)
    real_preds = self.ptc_dis(batch_x)
    fake_preds = self.ptc_dis(dec_outputs[-1].detach())
    y_fake = torch.full_like(real_preds, self.smooth_label)
    loss = F.binary_cross_entropy(real_preds, 1 - y_fake) + F.binary_cross_entropy(
      fake_preds, y_fake
    )
    self._update(loss, self.ptc_dis, self.ptc_dis_optimizer)
    return loss.item()

  def autoencoder_step(
    self, batch_x: torch.Tensor, batch_y: torch.Tensor, flipped: torch.Tensor | None = None
  ) -> dict[str, float]:
    self.ae.train()
    for net in (self.lat_dis, self.ptc_dis):
      if net is not None:
        net.eval()
    enc_outputs, dec_outputs = self.ae(batch_x, batch_y)
    loss = self.lambda_ae * ((batch_x - dec_outputs[-1]) ** 2).mean()
    stats = {"rec_costs": loss.item()}
    if self.lambda_lat_dis:
      lat_dis_loss = get_attr_loss(self.lat_dis(enc_outputs[-1]), batch_y, True)
      loss = loss + self.get_lambda(self.lambda_lat_dis) * lat_dis_loss
      stats["lat_dis_ae"] = lat_dis_loss.item()
    if self.lambda_ptc_dis:
      dec_outputs_flipped = self.ae.decode(enc_outputs, flipped)
      preds = self.ptc_dis(dec_outputs_flipped[-1])
      ptc_dis_loss = F.binary_cross_entropy(preds, torch.full_like(preds, 1 - self.smooth_label))
      loss = loss + self.get_lambda(self.lambda_ptc_dis) * ptc_dis_loss
      stats["ptc_dis_ae"] = ptc_dis_loss.item()
    self._update(loss, self.ae, self.ae_optimizer)
    stats["ae_loss"] = loss.item()
    return stats

  def step(self) -> None:
    """Official Trainer.step: the iteration counter the lambdas ramp with."""
    self.n_total_iter += 1
