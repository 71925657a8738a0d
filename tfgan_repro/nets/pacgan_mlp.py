"""The G and D of PacGAN's 2-D mixture experiments (Lin et al. 2018, Sec. 4.1; official
fjxmlzn/PacGAN synthetic_data_experiments, the architecture VEEGAN's experiments use):
  G  z ~ N(0, I_2) -> 4 x [Linear 400 (no bias), BatchNorm, ReLU] -> Linear 2 (with bias)
     hidden_{i}, hidden_{i}_bn, hidden_{i}_relu, points_dense, points
  D  x -> 3 x LinearMaxout(200 units, 5 pieces) -> Linear 1 (the logit)
     maxout_{i}, logits_dense, logits
Weights initialised N(0, 0.02) (official weights_init_std), biases 0; Blocks' batch norm keeps
its population statistics as 0.95 p + 0.05 m (Keras momentum 0.95), epsilon 1e-4. No packing
(PacGAN's m = 1): D judges one point at a time.
"""

from __future__ import annotations

import keras

from tfgan_repro.layers.maxout import Maxout
from tfgan_repro.nets.registry import register_network

Z_DIM = 2  # official num_zdim 2
G_HIDDEN, G_LAYERS = 400, 4  # official gen_hidden_size 400, four hidden layers
D_HIDDEN, D_LAYERS, PIECES = 200, 3, 5  # official disc_hidden_size 200, disc_maxout_pieces 5
INIT_STD = 0.02  # official weights_init_std
BN_MOMENTUM, BN_EPSILON = 0.95, 1e-4  # official bn_updates m * 0.05 + p * 0.95; Blocks epsilon
NORMS = ("batch", "none")


def _init() -> keras.initializers.Initializer:
  return keras.initializers.RandomNormal(stddev=INIT_STD)


@register_network(
  "pacgan_generator",
  role="generator",
  official_name="decoder",  # official pacgan_task.py create_model_brick
  paper_kwargs={},
  official_params=484_802,  # docs/official_counts.md
  tiny_kwargs={"hidden": 8, "n_hidden": 2, "norm": "none"},
  tiny_input_shape=(2,),
)
def pacgan_generator(
  *,
  z_dim: int = Z_DIM,
  hidden: int = G_HIDDEN,
  n_hidden: int = G_LAYERS,
  norm: str = "batch",  # official: BatchNormalization before each ReLU; "none" for tests
  output_dim: int = 2,  # 2-D points
  image_size: None = None,  # no image: points [N, output_dim]
  name: str = "pacgan_generator",
) -> keras.Model:
  """MLP G: z [N, z_dim] -> points [N, output_dim] (linear output)."""
  if min(z_dim, hidden, n_hidden, output_dim) < 1:
    raise ValueError(f"z_dim, hidden, n_hidden, output_dim must be >= 1, got {locals()}")
  if norm not in NORMS:
    raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
  if image_size is not None:
    raise ValueError(f"pacgan_generator makes points: image_size must be None, got {image_size!r}")
  z = keras.Input((z_dim,), name="z")
  x = z
  for i in range(n_hidden):
    x = keras.layers.Dense(
      hidden, use_bias=norm == "none", kernel_initializer=_init(), name=f"hidden_{i}"
    )(x)
    if norm == "batch":
      x = keras.layers.BatchNormalization(
        momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=f"hidden_{i}_bn"
      )(x)
    x = keras.layers.ReLU(name=f"hidden_{i}_relu")(x)
  x = keras.layers.Dense(output_dim, kernel_initializer=_init(), name="points_dense")(x)
  return keras.Model(
    z, keras.layers.Activation("linear", dtype="float32", name="points")(x), name=name
  )


@register_network(
  "pacgan_discriminator",
  role="discriminator",
  official_name="discriminator",  # official pacgan_task.py create_model_brick, num_packing 1
  paper_kwargs={},
  official_params=405_201,  # docs/official_counts.md
  tiny_kwargs={"hidden": 8, "n_hidden": 2, "pieces": 2},
  tiny_input_shape=(2,),
)
def pacgan_discriminator(
  *,
  input_dim: int = 2,  # 2-D points
  hidden: int = D_HIDDEN,
  n_hidden: int = D_LAYERS,
  pieces: int = PIECES,
  image_size: None = None,  # no image: points [N, input_dim]
  name: str = "pacgan_discriminator",
) -> keras.Model:
  """Maxout MLP D: points [N, input_dim] -> logits [N, 1]."""
  if min(input_dim, hidden, n_hidden, pieces) < 1:
    raise ValueError(f"input_dim, hidden, n_hidden, pieces must be >= 1, got {locals()}")
  if image_size is not None:
    raise ValueError(
      f"pacgan_discriminator judges points: image_size must be None, got {image_size!r}"
    )
  points = keras.Input((input_dim,), name="points")
  x = points
  for i in range(n_hidden):
    x = Maxout(hidden, pieces, kernel_initializer=_init(), name=f"maxout_{i}")(x)
  x = keras.layers.Dense(1, kernel_initializer=_init(), name="logits_dense")(x)
  return keras.Model(
    points, keras.layers.Activation("linear", dtype="float32", name="logits")(x), name=name
  )
