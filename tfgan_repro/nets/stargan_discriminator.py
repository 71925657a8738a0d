"""StarGAN discriminator (Choi et al. 2018, appendix: network architecture), official yunjey/stargan
`Discriminator`: a PatchGAN judging real / fake (D_src) with an auxiliary classifier (D_cls).

Official code (model.py, no normalization) -> layer names here:
  Conv2d(3 -> conv_dim, k4 s2 p1), LeakyReLU 0.01                  conv1[_pad], conv1_lrelu
  repeat_num - 1 x [Conv2d(k4 s2 p1) 2 curr_dim, LeakyReLU 0.01]   conv{i}[_pad], conv{i}_lrelu
  conv1: Conv2d(curr_dim -> 1, k3 s1 p1, bias=False)  = D_src       src[_pad]
  conv2: Conv2d(curr_dim -> c_dim, k image_size / 2^repeat_num, bias=False), .view(N, c_dim)
                                                      = D_cls       cls, cls_flat
At 128 px and repeat_num 6 the last map is 2x2: D_src is (N, 2, 2, 1), D_cls a 2x2 conv.
Weights: PyTorch's default initialization (the official code keeps it).
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.pytorch_conv import conv2d
from tfgan_repro.nets.registry import register_network

# official: nn.LeakyReLU(0.01)
LEAKY_SLOPE = 0.01
# official: no init_weights; PyTorch's reset_parameters defaults (layers/initializers.py "torch").
INIT = "torch"


@register_network(
  "stargan_discriminator",
  role="discriminator",
  official_name="Discriminator",  # yunjey/stargan model.py
  # official main.py CelebA: --image_size 128 --d_conv_dim 64 --c_dim 5 --d_repeat_num 6
  paper_kwargs={},
  official_params=44_762_048,  # counted from the official layer list (tests assert it)
  tiny_kwargs={"image_size": 16, "conv_dim": 4, "c_dim": 2, "repeat_num": 3},
  tiny_input_shape=(16, 16, 3),
)
def stargan_discriminator(
  *,
  image_size: int = 128,  # official --image_size 128 (CelebA)
  conv_dim: int = 64,  # official --d_conv_dim 64
  c_dim: int = 5,  # official --c_dim 5
  repeat_num: int = 6,  # official --d_repeat_num 6
  name: str = "stargan_discriminator",
) -> keras.Model:
  """(N, image_size, image_size, 3) -> [D_src (N, s, s, 1) logits, D_cls (N, c_dim) logits],
  s = image_size / 2^repeat_num. The input size is fixed: D_cls's kernel covers the whole last
  map (official kernel_size = int(image_size / 2^repeat_num))."""
  for key, value in (("conv_dim", conv_dim), ("c_dim", c_dim), ("repeat_num", repeat_num)):
    if value < 1:
      raise ValueError(f"{key} must be >= 1, got {value!r}")
  if not isinstance(image_size, int) or image_size % 2**repeat_num:
    raise ValueError(
      f"image_size must be an int divisible by 2^repeat_num = {2**repeat_num}, got {image_size!r}"
    )
  inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
  x = inputs
  dim = conv_dim
  for i in range(1, repeat_num + 1):
    x = conv2d(x, dim, 4, strides=2, padding=1, init=INIT, name=f"conv{i}")
    x = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"conv{i}_lrelu")(x)
    dim *= 2
  kernel = image_size // 2**repeat_num
  src = conv2d(x, 1, 3, padding=1, use_bias=False, init=INIT, name="src")
  cls = conv2d(x, c_dim, kernel, use_bias=False, init=INIT, name="cls")  # (N, 1, 1, c_dim)
  cls = keras.layers.Reshape((c_dim,), name="cls_flat")(cls)  # (N, 1, 1, c_dim) -> (N, c_dim)
  # float32 logits under mixed precision (Keras mixed-precision guide: last layer in float32).
  src = keras.layers.Activation("linear", dtype="float32", name="src_logits")(src)
  cls = keras.layers.Activation("linear", dtype="float32", name="cls_logits")(cls)
  return keras.Model(inputs, [src, cls], name=name)
