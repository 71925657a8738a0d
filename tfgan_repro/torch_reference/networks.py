"""The official nets, transcribed from pytorch-CycleGAN-and-pix2pix `models/networks.py`
(get_norm_layer, init_weights, ResnetGenerator, ResnetBlock, UnetGenerator,
UnetSkipConnectionBlock, NLayerDiscriminator) with the same module order, so their state_dict keys
are the official ones. A reference for the tests and the speed comparison (torch is optional)."""

from __future__ import annotations

import functools

import torch
from torch import nn


class Identity(nn.Module):
  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return x


def get_norm_layer(norm_type: str = "instance"):
  if norm_type == "batch":
    return functools.partial(nn.BatchNorm2d, affine=True, track_running_stats=True)
  if norm_type == "instance":
    return functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)
  if norm_type == "none":
    return lambda x: Identity()
  raise NotImplementedError(f"normalization layer [{norm_type}] is not found")


def _use_bias(norm_layer) -> bool:
  if type(norm_layer) is functools.partial:
    return norm_layer.func == nn.InstanceNorm2d
  return norm_layer == nn.InstanceNorm2d


def init_weights(net: nn.Module, gain: float = 0.02) -> nn.Module:
  """Official init_type 'normal' (init_gain 0.02): conv weights N(0, gain), biases 0, norms N(1, gain)."""

  def init(m: nn.Module) -> None:
    name = m.__class__.__name__
    if hasattr(m, "weight") and ("Conv" in name or "Linear" in name):
      nn.init.normal_(m.weight.data, 0.0, gain)
      if m.bias is not None:
        nn.init.constant_(m.bias.data, 0.0)
    elif "BatchNorm2d" in name:
      nn.init.normal_(m.weight.data, 1.0, gain)
      nn.init.constant_(m.bias.data, 0.0)

  return net.apply(init)


class ResnetBlock(nn.Module):
  def __init__(self, dim: int, padding_type: str, norm_layer, use_dropout: bool, use_bias: bool):
    super().__init__()
    assert padding_type == "reflect"  # official default; the only one the Keras net builds
    conv_block = [nn.ReflectionPad2d(1)]
    conv_block += [nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=use_bias), norm_layer(dim)]
    conv_block += [nn.ReLU(True)]
    if use_dropout:
      conv_block += [nn.Dropout(0.5)]
    conv_block += [nn.ReflectionPad2d(1)]
    conv_block += [nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=use_bias), norm_layer(dim)]
    self.conv_block = nn.Sequential(*conv_block)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
  def __init__(
    self,
    input_nc: int,
    output_nc: int,
    ngf: int = 64,
    norm_layer=nn.BatchNorm2d,
    use_dropout: bool = False,
    n_blocks: int = 6,
    padding_type: str = "reflect",
  ):
    super().__init__()
    use_bias = _use_bias(norm_layer)
    model = [
      nn.ReflectionPad2d(3),
      nn.Conv2d(input_nc, ngf, kernel_size=7, padding=0, bias=use_bias),
      norm_layer(ngf),
      nn.ReLU(True),
    ]
    n_downsampling = 2
    for i in range(n_downsampling):
      mult = 2**i
      model += [
        nn.Conv2d(ngf * mult, ngf * mult * 2, kernel_size=3, stride=2, padding=1, bias=use_bias),
        norm_layer(ngf * mult * 2),
        nn.ReLU(True),
      ]
    mult = 2**n_downsampling
    for _ in range(n_blocks):
      model += [ResnetBlock(ngf * mult, padding_type, norm_layer, use_dropout, use_bias)]
    for i in range(n_downsampling):
      mult = 2 ** (n_downsampling - i)
      model += [
        nn.ConvTranspose2d(
          ngf * mult,
          int(ngf * mult / 2),
          kernel_size=3,
          stride=2,
          padding=1,
          output_padding=1,
          bias=use_bias,
        ),
        norm_layer(int(ngf * mult / 2)),
        nn.ReLU(True),
      ]
    model += [nn.ReflectionPad2d(3)]
    model += [nn.Conv2d(ngf, output_nc, kernel_size=7, padding=0)]
    model += [nn.Tanh()]
    self.model = nn.Sequential(*model)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return self.model(x)


class UnetSkipConnectionBlock(nn.Module):
  def __init__(
    self,
    outer_nc: int,
    inner_nc: int,
    input_nc: int | None = None,
    submodule: nn.Module | None = None,
    outermost: bool = False,
    innermost: bool = False,
    norm_layer=nn.BatchNorm2d,
    use_dropout: bool = False,
  ):
    super().__init__()
    self.outermost = outermost
    use_bias = _use_bias(norm_layer)
    if input_nc is None:
      input_nc = outer_nc
    downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
    downrelu = nn.LeakyReLU(0.2, True)
    downnorm = norm_layer(inner_nc)
    uprelu = nn.ReLU(True)
    upnorm = norm_layer(outer_nc)
    if outermost:
      upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
      model = [downconv] + [submodule] + [uprelu, upconv, nn.Tanh()]
    elif innermost:
      upconv = nn.ConvTranspose2d(
        inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias
      )
      model = [downrelu, downconv] + [uprelu, upconv, upnorm]
    else:
      upconv = nn.ConvTranspose2d(
        inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias
      )
      model = [downrelu, downconv, downnorm] + [submodule] + [uprelu, upconv, upnorm]
      if use_dropout:
        model += [nn.Dropout(0.5)]
    self.model = nn.Sequential(*model)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    if self.outermost:
      return self.model(x)
    return torch.cat([x, self.model(x)], 1)  # x was changed in place by downrelu, as official


class UnetGenerator(nn.Module):
  def __init__(
    self,
    input_nc: int,
    output_nc: int,
    num_downs: int,
    ngf: int = 64,
    norm_layer=nn.BatchNorm2d,
    use_dropout: bool = False,
  ):
    super().__init__()
    block = UnetSkipConnectionBlock(
      ngf * 8, ngf * 8, input_nc=None, submodule=None, norm_layer=norm_layer, innermost=True
    )
    for _ in range(num_downs - 5):
      block = UnetSkipConnectionBlock(
        ngf * 8, ngf * 8, submodule=block, norm_layer=norm_layer, use_dropout=use_dropout
      )
    block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=block, norm_layer=norm_layer)
    block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=block, norm_layer=norm_layer)
    block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=block, norm_layer=norm_layer)
    self.model = UnetSkipConnectionBlock(
      output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True, norm_layer=norm_layer
    )

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return self.model(x)


class NLayerDiscriminator(nn.Module):
  """The official PatchGAN (--netD basic = n_layers 3: 70x70 receptive field)."""

  def __init__(self, input_nc: int, ndf: int = 64, n_layers: int = 3, norm_layer=nn.BatchNorm2d):
    super().__init__()
    use_bias = _use_bias(norm_layer)
    kw, padw = 4, 1
    sequence = [
      nn.Conv2d(input_nc, ndf, kernel_size=kw, stride=2, padding=padw),
      nn.LeakyReLU(0.2, True),
    ]
    nf_mult = 1
    for n in range(1, n_layers):
      nf_mult_prev, nf_mult = nf_mult, min(2**n, 8)
      sequence += [
        nn.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kw, stride=2, padding=padw, bias=use_bias),
        norm_layer(ndf * nf_mult),
        nn.LeakyReLU(0.2, True),
      ]
    nf_mult_prev, nf_mult = nf_mult, min(2**n_layers, 8)
    sequence += [
      nn.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kw, stride=1, padding=padw, bias=use_bias),
      norm_layer(ndf * nf_mult),
      nn.LeakyReLU(0.2, True),
    ]
    sequence += [nn.Conv2d(ndf * nf_mult, 1, kernel_size=kw, stride=1, padding=padw)]
    self.model = nn.Sequential(*sequence)

  def forward(self, x: torch.Tensor) -> torch.Tensor:
    return self.model(x)
