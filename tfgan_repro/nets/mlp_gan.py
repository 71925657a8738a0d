"""The small fully connected G and D of the 2-D mixture benchmarks (ring of 8, grid of 25).

Unrolled GAN (Metz et al. 2017), Appendix A, mixture of Gaussians, also used by VEEGAN
(Srivastava et al. 2017, Sec. 5.1) and PacGAN (Lin et al. 2018, Sec. 4.1):
  G  z ~ N(0, I_256) -> Dense 128, ReLU -> Dense 128, ReLU -> Dense 2 (linear)
     hidden_0, hidden_0_relu, hidden_1, hidden_1_relu, points
  D  x / 4 ("scales its input down by a factor of 4, to roughly (-1, 1)") -> Dense 128, ReLU
     -> Dense 1 (the logit)                         scale, hidden_0, hidden_0_relu, logits
All weights initialised orthogonal with gain 0.8 (Appendix A), biases 0.
"""

from __future__ import annotations

import keras

from tfgan_repro.nets.registry import register_network

Z_DIM = 256  # Unrolled GAN App. A: z ~ N(0, I_256)
HIDDEN = 128  # Unrolled GAN App. A: hidden layers of size 128
ORTHOGONAL_GAIN = 0.8  # Unrolled GAN App. A: "orthogonal with scaling of 0.8"
D_INPUT_SCALE = 0.25  # Unrolled GAN App. A: D scales its input down by a factor of 4


def _dense(units: int, name: str) -> keras.layers.Dense:
  return keras.layers.Dense(
    units, kernel_initializer=keras.initializers.Orthogonal(ORTHOGONAL_GAIN), name=name
  )


def _check(**values: int) -> None:
  for key, value in values.items():
    if value < 1:
      raise ValueError(f"{key} must be >= 1, got {value!r}")


@register_network(
  "mlp_generator",
  role="generator",
  official_name="generator",  # Unrolled GAN App. A (no official code released)
  paper_kwargs={},
  official_params=None,  # no official code; 49,666 counted from App. A's layer list
  tiny_kwargs={"z_dim": 8, "hidden": 8},
  tiny_input_shape=(8,),
)
def mlp_generator(
  *,
  z_dim: int = Z_DIM,
  hidden: int = HIDDEN,
  n_hidden: int = 2,  # Unrolled GAN App. A: 2 hidden layers
  output_dim: int = 2,  # 2-D points
  image_size: None = None,  # no image: points [N, output_dim]
  name: str = "mlp_generator",
) -> keras.Model:
  """MLP G: z [N, z_dim] -> points [N, output_dim] (unbounded, linear output)."""
  _check(z_dim=z_dim, hidden=hidden, n_hidden=n_hidden, output_dim=output_dim)
  if image_size is not None:
    raise ValueError(
      f"mlp_generator makes points, not images: image_size must be None, got {image_size!r}"
    )
  z = keras.Input((z_dim,), name="z")
  x = z
  for i in range(n_hidden):
    x = _dense(hidden, f"hidden_{i}")(x)
    x = keras.layers.ReLU(name=f"hidden_{i}_relu")(x)
  x = _dense(output_dim, "points_dense")(x)
  return keras.Model(
    z, keras.layers.Activation("linear", dtype="float32", name="points")(x), name=name
  )


@register_network(
  "mlp_discriminator",
  role="discriminator",
  official_name="discriminator",  # Unrolled GAN App. A (no official code released)
  paper_kwargs={},
  official_params=None,  # no official code; 513 counted from App. A's layer list
  tiny_kwargs={"hidden": 8},
  tiny_input_shape=(2,),
)
def mlp_discriminator(
  *,
  input_dim: int = 2,  # 2-D points
  hidden: int = HIDDEN,
  n_hidden: int = 1,  # Unrolled GAN App. A: "1 layer fully connected network with relu"
  input_scale: float = D_INPUT_SCALE,
  image_size: None = None,  # no image: points [N, input_dim]
  name: str = "mlp_discriminator",
) -> keras.Model:
  """MLP D: points [N, input_dim] -> logits [N, 1]."""
  _check(input_dim=input_dim, hidden=hidden, n_hidden=n_hidden)
  if image_size is not None:
    raise ValueError(
      f"mlp_discriminator judges points: image_size must be None, got {image_size!r}"
    )
  points = keras.Input((input_dim,), name="points")
  x = keras.layers.Rescaling(input_scale, name="scale")(points)
  for i in range(n_hidden):
    x = _dense(hidden, f"hidden_{i}")(x)
    x = keras.layers.ReLU(name=f"hidden_{i}_relu")(x)
  x = _dense(1, "logits_dense")(x)
  return keras.Model(
    points, keras.layers.Activation("linear", dtype="float32", name="logits")(x), name=name
  )
