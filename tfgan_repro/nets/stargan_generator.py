"""StarGAN generator (Choi et al. 2018, appendix: network architecture), official
yunjey/stargan `Generator`.

Official code (model.py, all convs bias=False, InstanceNorm2d(affine=True,
track_running_stats=True)) -> layer names here:
  c = c.view(N, c_dim, 1, 1).repeat(1, 1, H, W); cat([x, c], 1)   concat_condition
  Conv2d(3 + c_dim -> conv_dim, k7 s1 p3), IN, ReLU               conv_in[_pad], _norm, _relu
  2 x [Conv2d(k4 s2 p1) 2 curr_dim, IN, ReLU]                     down{i}[_pad], _norm, _relu
  repeat_num x ResidualBlock: x + [conv3 p1, IN, ReLU, conv3 p1, IN](x)
                                                                  block{b}_conv{1,2}, ..., _add
  2 x [ConvTranspose2d(k4 s2 p1) curr_dim / 2, IN, ReLU]          up{i}, _norm, _relu
  Conv2d(-> 3, k7 s1 p3), Tanh                                    conv_out[_pad], tanh
Running statistics: the official IN layers track them, but its solver never calls G.eval() (train,
samples and test all run G in training mode, with the statistics of the image itself), so nothing
reads them; this net keeps no running statistics (the repo's InstanceNormalization), which gives
the same outputs. Weights: PyTorch's default initialization (the official code keeps it).
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.concat_condition import ConcatCondition
from tfgan_repro.layers.instance_normalization import InstanceNormalization
from tfgan_repro.layers.pytorch_conv import conv2d, conv_transpose2d
from tfgan_repro.nets.common import ImageSize, image_input
from tfgan_repro.nets.registry import register_network

# official Generator: two stride-2 down-samplings and two up-samplings; H, W multiples of 4.
N_SAMPLING = 2
# official: no init_weights; PyTorch's reset_parameters defaults (layers/initializers.py "torch").
INIT = "torch"


def _norm_relu(x: keras.KerasTensor, name: str, relu: bool = True) -> keras.KerasTensor:
  """InstanceNorm2d(affine=True) (PyTorch eps 1e-5) [+ ReLU]."""
  x = InstanceNormalization(epsilon=1e-5, affine=True, name=f"{name}_norm")(x)
  return keras.layers.ReLU(name=f"{name}_relu")(x) if relu else x


@register_network(
  "stargan_generator",
  role="generator",
  official_name="Generator",  # yunjey/stargan model.py
  paper_kwargs={},  # official main.py CelebA: --g_conv_dim 64 --c_dim 5 --g_repeat_num 6
  official_params=8_430_528,  # counted from the official layer list (tests assert it)
  tiny_kwargs={"conv_dim": 4, "c_dim": 2, "repeat_num": 1},
  tiny_input_shape=(16, 16, 3),
  tiny_condition_size=2,
)
def stargan_generator(
  *,
  conv_dim: int = 64,  # official --g_conv_dim 64
  c_dim: int = 5,  # official --c_dim 5 (CelebA: Black/Blond/Brown_Hair, Male, Young)
  repeat_num: int = 6,  # official --g_repeat_num 6
  image_size: ImageSize = None,
  name: str = "stargan_generator",
) -> keras.Model:
  """[image (N, H, W, 3) in [-1, 1], attributes (N, c_dim)] -> (N, H, W, 3) in [-1, 1].

  `attributes` is the target domain label c (CelebA: binary attributes in {0, 1}); it is
  broadcast to c_dim constant channels after the image's (official `torch.cat([x, c], dim=1)`).
  H, W multiples of 4.
  """
  for key, value in (("conv_dim", conv_dim), ("c_dim", c_dim)):
    if value < 1:
      raise ValueError(f"{key} must be >= 1, got {value!r}")
  if repeat_num < 0:
    raise ValueError(f"repeat_num must be >= 0, got {repeat_num!r}")
  image = image_input(3, image_size, multiple_of=2**N_SAMPLING)
  attributes = keras.Input(shape=(c_dim,), name="attributes")
  x = ConcatCondition(name="concat_condition")([image, attributes])  # (N, H, W, 3 + c_dim)
  x = conv2d(x, conv_dim, 7, padding=3, use_bias=False, init=INIT, name="conv_in")
  x = _norm_relu(x, "conv_in")
  dim = conv_dim
  for i in range(1, N_SAMPLING + 1):
    dim *= 2
    x = conv2d(x, dim, 4, strides=2, padding=1, use_bias=False, init=INIT, name=f"down{i}")
    x = _norm_relu(x, f"down{i}")
  for b in range(1, repeat_num + 1):  # official ResidualBlock(dim_in=curr_dim, dim_out=curr_dim)
    y = conv2d(x, dim, 3, padding=1, use_bias=False, init=INIT, name=f"block{b}_conv1")
    y = _norm_relu(y, f"block{b}_conv1")
    y = conv2d(y, dim, 3, padding=1, use_bias=False, init=INIT, name=f"block{b}_conv2")
    y = _norm_relu(y, f"block{b}_conv2", relu=False)
    x = keras.layers.Add(name=f"block{b}_add")([x, y])
  for i in range(1, N_SAMPLING + 1):
    dim //= 2
    x = conv_transpose2d(x, dim, 4, strides=2, padding=1, use_bias=False, init=INIT, name=f"up{i}")
    x = _norm_relu(x, f"up{i}")
  x = conv2d(x, 3, 7, padding=3, use_bias=False, init=INIT, name="conv_out")
  # float32 output under mixed precision (Keras mixed-precision guide: last layer in float32).
  outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
  return keras.Model([image, attributes], outputs, name=name)
