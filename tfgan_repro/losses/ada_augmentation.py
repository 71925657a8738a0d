"""ADA (Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data"):
augmentations of every image D sees, each applied with probability p, and the heuristic that
tunes p from D's overfitting.

Code names -> paper symbols -> official NVlabs/stylegan2-ada-pytorch names:
  p                         augmentation probability p (Sec. 2.3)      AugmentPipe.p
  ada_augment               the pipeline of Fig. 2 / Appendix B       AugmentPipe.forward
  pipeline "blit" / "geom" / "color" / "bg" / "bgc"                   train.py augpipe_specs
  g_inv                     inverse geometric transform (App. B.1)    G_inv
  color matrix              colour transform (App. B.1)               C
  r_t                       E[sign(D_train)] (Sec. 3, Eq. 1)          stats 'Loss/signs/real'
  ada_adjust                p update every `interval` steps (Sec. 3)  training_loop.py: adjust
  ADA_TARGET / ADA_INTERVAL / ADA_KIMG                                 ada_target / ada_interval /
                                                                       ada_kimg
Each operation of a pipeline runs on a sample with probability p (official probability
multipliers 1), its parameters drawn as the official: blit (xflip, rotate90, integer translation
xint), general geometry (isotropic scale, rotation, anisotropic scale, fractional translation
xfrac) and colour (brightness, contrast, luma flip, hue rotation, saturation). The geometric
operations compose into one 3x3 matrix per sample that maps output pixel coordinates (origin at
the image centre) to input ones, applied once; the colour operations compose into one 4x4 matrix
per sample, applied to RGB (to the mean of its rows on one channel, as the official).

Deliberate differences from the official geometric step: the official pads the image by
reflection, upsamples it 2x with the sym6 wavelet filter, samples it with grid_sample and filters
it down again (alias-free resampling). Here the output samples the image bilinearly at the
transformed pixel centres, indices reflected at the borders as torch's "reflect" padding
((d c b | a b c d | c b a), periodically, where the official pads at most W - 1 and reads zeros
beyond), with gathers: their gradient is the exact adjoint of the sampling
(tf.raw_ops.ImageProjectiveTransformV3's registered gradient is the inverse warp, an
approximation, and its "reflect" mode repeats the edge pixel). Rotations by multiples of 90
degrees use exact cosines and sines (the official's cos(pi / 2) is -4.4e-8). Image-space
filtering, noise and cutout (pipelines "bgcf", "bgcfn", "bgcfnc") are not implemented.

All random draws are stateless (one int32 [2] seed per call) and made for `num_replicas` x N
samples, this replica taking its rows: N replicas augment a global batch as one device does.
"""

from __future__ import annotations

import math

import tensorflow as tf

BLIT = ("xflip", "rotate90", "xint")
GEOM = ("scale", "rotate", "aniso", "xfrac")
COLOR = ("brightness", "contrast", "lumaflip", "hue", "saturation")
OPERATIONS = BLIT + GEOM + COLOR
# official train.py augpipe_specs (every probability multiplier 1)
PIPELINES = {
  "blit": BLIT,
  "geom": GEOM,
  "color": COLOR,
  "bg": BLIT + GEOM,
  "bgc": BLIT + GEOM + COLOR,
}
# official training/augment.py AugmentPipe defaults
XINT_MAX = 0.125  # xint_max: integer translation range, relative to the image size
SCALE_STD = 0.2  # scale_std: log2 standard deviation of isotropic scaling
ROTATE_MAX = 1.0  # rotate_max: rotation range, 1 = full circle
ANISO_STD = 0.2  # aniso_std: log2 standard deviation of anisotropic scaling
XFRAC_STD = 0.125  # xfrac_std: fractional translation std, relative to the image size
BRIGHTNESS_STD = 0.2  # brightness_std
CONTRAST_STD = 0.5  # contrast_std: log2 standard deviation
HUE_MAX = 1.0  # hue_max: hue rotation range, 1 = full circle
SATURATION_STD = 1.0  # saturation_std: log2 standard deviation
# official train.py --target 0.6 (paper Sec. 3: r_t target 0.6); training_loop.py ada_interval 4,
# ada_kimg 500 (p can go from 0 to 1 in 500k images)
ADA_TARGET = 0.6
ADA_INTERVAL = 4
ADA_KIMG = 500.0
# The luma axis of the colour transforms (official v = [1, 1, 1, 0] / sqrt(3)).
_LUMA = (1.0 / math.sqrt(3.0),) * 3 + (0.0,)


def parse_pipeline(pipeline: str) -> tuple[str, ...]:
  """The operations of `pipeline`: a name of PIPELINES, or comma-separated names of OPERATIONS
  (the official AugmentPipe's multipliers set to 1 one by one), in the official order."""
  if pipeline in PIPELINES:
    return PIPELINES[pipeline]
  names = [name for name in pipeline.split(",") if name]
  unknown = [name for name in names if name not in OPERATIONS]
  if unknown or not names:
    raise ValueError(
      f"pipeline must be one of {sorted(PIPELINES)} or comma-separated operations of "
      f"{', '.join(OPERATIONS)}, got {pipeline!r}"
    )
  return tuple(op for op in OPERATIONS if op in names)


# ---- matrices: each [N, 3, 3] or [N, 4, 4] from per-sample parameters [N] --------------------
def _matrix(rows: list[list]) -> tf.Tensor:
  """Stacks rows of per-sample tensors [N] (or Python numbers) into [N, len(rows), len(row)]."""
  ref = next(e for row in rows for e in row if isinstance(e, tf.Tensor))
  elems = [
    [
      e if isinstance(e, tf.Tensor) else tf.fill(tf.shape(ref), tf.constant(e, ref.dtype))
      for e in r
    ]
    for r in rows
  ]
  return tf.stack([tf.stack(row, axis=-1) for row in elems], axis=-2)  # [N, rows, cols]


def translate2d(tx: tf.Tensor, ty: tf.Tensor) -> tf.Tensor:
  """Homogeneous 2-D translation by (tx, ty) [N, 3, 3]."""
  return _matrix([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def scale2d(sx: tf.Tensor, sy: tf.Tensor) -> tf.Tensor:
  """Homogeneous 2-D scaling by (sx, sy) [N, 3, 3]."""
  return _matrix([[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, 1.0]])


def rotate2d(cos: tf.Tensor, sin: tf.Tensor) -> tf.Tensor:
  """[[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]: the official rotate2d of the angle (cos, sin)."""
  return _matrix([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]])


def translate3d(t: tf.Tensor) -> tf.Tensor:
  """Adds t to every colour channel (brightness)."""
  return _matrix([[1.0, 0.0, 0.0, t], [0.0, 1.0, 0.0, t], [0.0, 0.0, 1.0, t], [0.0, 0.0, 0.0, 1.0]])


def scale3d(s: tf.Tensor) -> tf.Tensor:
  """Multiplies every colour channel by s (contrast)."""
  return _matrix([[s, 0.0, 0.0, 0.0], [0.0, s, 0.0, 0.0], [0.0, 0.0, s, 0.0], [0.0, 0.0, 0.0, 1.0]])


def _luma_outer() -> tf.Tensor:
  """v v^T [4, 4] of the luma axis."""
  v = tf.constant(_LUMA)
  return v[:, None] * v[None, :]


def luma_flip3d(i: tf.Tensor) -> tf.Tensor:
  """I - 2 v v^T i: the Householder reflection across the plane normal to the luma axis v when
  i = 1, the identity when i = 0."""
  return tf.eye(4) - 2.0 * _luma_outer() * i[:, None, None]


def hue_rotate3d(theta: tf.Tensor) -> tf.Tensor:
  """Rotation by theta about the luma axis v (Rodrigues: cos I + sin [v]x + (1 - cos) v v^T)."""
  vx, vy, vz = _LUMA[:3]
  c, s = tf.cos(theta), tf.sin(theta)
  cc = 1.0 - c
  return _matrix(
    [
      [vx * vx * cc + c, vx * vy * cc - vz * s, vx * vz * cc + vy * s, 0.0],
      [vy * vx * cc + vz * s, vy * vy * cc + c, vy * vz * cc - vx * s, 0.0],
      [vz * vx * cc - vy * s, vz * vy * cc + vx * s, vz * vz * cc + c, 0.0],
      [0.0, 0.0, 0.0, 1.0],
    ]
  )


def saturation3d(s: tf.Tensor) -> tf.Tensor:
  """v v^T + (I - v v^T) s (official), written I + (I - v v^T)(s - 1) so that s = 1 is the
  identity exactly: the component off the luma axis scaled by s."""
  return tf.eye(4) + (tf.eye(4) - _luma_outer()) * (s - 1.0)[:, None, None]


# ---- applying the matrices -------------------------------------------------------------------
def _reflect(index: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
  """Integer indices reflected into [0, size) as torch's "reflect" padding, periodically."""
  period = tf.maximum(2 * (size - 1), 1)
  m = tf.math.floormod(index, period)
  return tf.where(m < size, m, period - m)


def transform_geometry(images: tf.Tensor, g_inv: tf.Tensor) -> tf.Tensor:
  """images [N, H, W, C] resampled bilinearly: output pixel (x, y), coordinates centred on the
  image (x = col - (W - 1) / 2, y = row - (H - 1) / 2), reads the input at g_inv [N, 3, 3] @
  (x, y, 1), outside the image by reflection. float32."""
  x = tf.cast(images, tf.float32)
  n, h, w, c = tf.unstack(tf.shape(x))
  cx = (tf.cast(w, tf.float32) - 1.0) / 2.0
  cy = (tf.cast(h, tf.float32) - 1.0) / 2.0
  ys, xs = tf.meshgrid(
    tf.range(h, dtype=tf.float32) - cy, tf.range(w, dtype=tf.float32) - cx, indexing="ij"
  )  # [H, W] each
  points = tf.stack([tf.reshape(xs, [-1]), tf.reshape(ys, [-1]), tf.ones([h * w])], 1)  # [HW, 3]
  source = tf.einsum("nij,pj->npi", g_inv, points)  # [N, HW, 3]
  col, row = source[..., 0] + cx, source[..., 1] + cy  # [N, HW]
  col0, row0 = tf.floor(col), tf.floor(row)
  fx, fy = (col - col0)[..., None], (row - row0)[..., None]  # [N, HW, 1]
  col0, row0 = tf.cast(col0, tf.int32), tf.cast(row0, tf.int32)
  flat = tf.reshape(x, [n, h * w, c])  # [N, HW, C]

  def read(r: tf.Tensor, q: tf.Tensor) -> tf.Tensor:
    return tf.gather(flat, _reflect(r, h) * w + _reflect(q, w), batch_dims=1)  # [N, HW, C]

  top = read(row0, col0)
  top += fx * (read(row0, col0 + 1) - top)
  bottom = read(row0 + 1, col0)
  bottom += fx * (read(row0 + 1, col0 + 1) - bottom)
  return tf.reshape(top + fy * (bottom - top), [n, h, w, c])  # [N, H, W, C]


def transform_color(images: tf.Tensor, color: tf.Tensor) -> tf.Tensor:
  """color [N, 4, 4] @ (r, g, b, 1) per pixel of RGB images [N, H, W, 3]; on one channel, the
  image times the mean row sum of color[:, :3, :3] plus the mean of color[:, :3, 3] (the
  official's mean row). float32."""
  x = tf.cast(images, tf.float32)
  channels = x.shape[-1]
  if channels == 3:
    return tf.einsum("nij,nhwj->nhwi", color[:, :3, :3], x) + color[:, None, None, :3, 3]
  if channels == 1:
    gain = tf.reduce_sum(color[:, :3, :3], axis=[1, 2]) / 3.0  # [N]
    offset = tf.reduce_sum(color[:, :3, 3], axis=1) / 3.0
    return x * gain[:, None, None, None] + offset[:, None, None, None]
  raise ValueError(f"colour augmentation needs 1 or 3 channels, got images of shape {x.shape}")


# ---- the pipeline ----------------------------------------------------------------------------
class _Draws:
  """Stateless per-sample draws for `total` samples, this replica's `n` rows from `start`."""

  def __init__(self, seed: tf.Tensor, total: tf.Tensor, start: tf.Tensor, n: tf.Tensor):
    self.seed, self.total, self.start, self.n = seed, total, start, n

  def _rows(self, values: tf.Tensor) -> tf.Tensor:
    return values[self.start : self.start + self.n]

  def uniform(self, salt: int, width: int = 0) -> tf.Tensor:
    """U(0, 1) [n] (or [n, width])."""
    shape = [self.total, width] if width else [self.total]
    seed = tf.random.experimental.stateless_fold_in(self.seed, salt)
    return self._rows(tf.random.stateless_uniform(shape, seed))

  def normal(self, salt: int, width: int = 0) -> tf.Tensor:
    """N(0, 1) [n] (or [n, width])."""
    shape = [self.total, width] if width else [self.total]
    seed = tf.random.experimental.stateless_fold_in(self.seed, salt)
    return self._rows(tf.random.stateless_normal(shape, seed))

  def gate(self, salt: int, probability: tf.Tensor) -> tf.Tensor:
    """bool [n]: the operation runs on the sample (official torch.rand < multiplier * p)."""
    return self.uniform(salt) < probability


def _salt(op: str, k: int = 0) -> int:
  """Each operation's draws: value (k = 0, 1) and gate (k = 2) seeds of its own, the same in every
  pipeline (pre- and post-rotation: rotate and rotate + 3)."""
  return 10 * OPERATIONS.index(op) + k


def geometric_matrix(
  ops: tuple[str, ...], draws: _Draws, p: tf.Tensor, width: tf.Tensor, height: tf.Tensor
) -> tf.Tensor:
  """G_inv [n, 3, 3] of the geometric operations in `ops` (official order and draws)."""
  n = draws.n
  g_inv = tf.eye(3, batch_shape=[n])
  zero, one = tf.zeros([n]), tf.ones([n])
  if "xflip" in ops:  # i in {0, 1}: x -> -x
    i = tf.floor(draws.uniform(_salt("xflip")) * 2.0)
    i = tf.where(draws.gate(_salt("xflip", 2), p), i, zero)
    g_inv = g_inv @ scale2d(1.0 - 2.0 * i, one)
  if "rotate90" in ops:  # i in {0, 1, 2, 3}: rotation by i x 90 degrees, exact cos and sin
    i = tf.floor(draws.uniform(_salt("rotate90")) * 4.0)
    i = tf.cast(tf.where(draws.gate(_salt("rotate90", 2), p), i, zero), tf.int32)
    cos = tf.gather(tf.constant([1.0, 0.0, -1.0, 0.0]), i)
    sin = tf.gather(tf.constant([0.0, 1.0, 0.0, -1.0]), i)
    g_inv = g_inv @ rotate2d(cos, sin)  # official rotate2d_inv(-pi / 2 * i)
  if "xint" in ops:  # integer translation, uniform in +-xint_max of the size, rounded
    t = (draws.uniform(_salt("xint"), 2) * 2.0 - 1.0) * XINT_MAX  # [n, 2]
    t = tf.where(draws.gate(_salt("xint", 2), p)[:, None], t, 0.0)
    tx = tf.round(t[:, 0] * tf.cast(width, tf.float32))
    ty = tf.round(t[:, 1] * tf.cast(height, tf.float32))
    g_inv = g_inv @ translate2d(-tx, -ty)
  if "scale" in ops:  # isotropic, lognormal
    s = tf.pow(2.0, draws.normal(_salt("scale")) * SCALE_STD)
    s = tf.where(draws.gate(_salt("scale", 2), p), s, one)
    g_inv = g_inv @ scale2d(1.0 / s, 1.0 / s)
  # official: pre- and post-rotation each with p_rot, so that P(either) = p
  p_rot = 1.0 - tf.sqrt(tf.clip_by_value(1.0 - p, 0.0, 1.0))
  if "rotate" in ops:  # before anisotropic scaling
    theta = (draws.uniform(_salt("rotate")) * 2.0 - 1.0) * math.pi * ROTATE_MAX
    theta = tf.where(draws.gate(_salt("rotate", 2), p_rot), theta, zero)
    g_inv = g_inv @ rotate2d(tf.cos(theta), tf.sin(theta))  # official rotate2d_inv(-theta)
  if "aniso" in ops:
    s = tf.pow(2.0, draws.normal(_salt("aniso")) * ANISO_STD)
    s = tf.where(draws.gate(_salt("aniso", 2), p), s, one)
    g_inv = g_inv @ scale2d(1.0 / s, s)
  if "rotate" in ops:  # after anisotropic scaling
    theta = (draws.uniform(_salt("rotate", 3)) * 2.0 - 1.0) * math.pi * ROTATE_MAX
    theta = tf.where(draws.gate(_salt("rotate", 5), p_rot), theta, zero)
    g_inv = g_inv @ rotate2d(tf.cos(theta), tf.sin(theta))
  if "xfrac" in ops:  # fractional translation, normal
    t = draws.normal(_salt("xfrac"), 2) * XFRAC_STD  # [n, 2]
    t = tf.where(draws.gate(_salt("xfrac", 2), p)[:, None], t, 0.0)
    g_inv = g_inv @ translate2d(
      -t[:, 0] * tf.cast(width, tf.float32), -t[:, 1] * tf.cast(height, tf.float32)
    )
  return g_inv


def color_matrix(ops: tuple[str, ...], draws: _Draws, p: tf.Tensor, channels: int) -> tf.Tensor:
  """C [n, 4, 4] of the colour operations in `ops` (official order and draws; hue and saturation
  only on more than one channel)."""
  n = draws.n
  color = tf.eye(4, batch_shape=[n])
  zero, one = tf.zeros([n]), tf.ones([n])
  if "brightness" in ops:
    b = draws.normal(_salt("brightness")) * BRIGHTNESS_STD
    b = tf.where(draws.gate(_salt("brightness", 2), p), b, zero)
    color = translate3d(b) @ color
  if "contrast" in ops:
    c = tf.pow(2.0, draws.normal(_salt("contrast")) * CONTRAST_STD)
    c = tf.where(draws.gate(_salt("contrast", 2), p), c, one)
    color = scale3d(c) @ color
  if "lumaflip" in ops:
    i = tf.floor(draws.uniform(_salt("lumaflip")) * 2.0)
    i = tf.where(draws.gate(_salt("lumaflip", 2), p), i, zero)
    color = luma_flip3d(i) @ color
  if "hue" in ops and channels > 1:
    theta = (draws.uniform(_salt("hue")) * 2.0 - 1.0) * math.pi * HUE_MAX
    theta = tf.where(draws.gate(_salt("hue", 2), p), theta, zero)
    color = hue_rotate3d(theta) @ color
  if "saturation" in ops and channels > 1:
    s = tf.pow(2.0, draws.normal(_salt("saturation")) * SATURATION_STD)
    s = tf.where(draws.gate(_salt("saturation", 2), p), s, one)
    color = saturation3d(s) @ color
  return color


def ada_augment(
  images: tf.Tensor,
  p: tf.Tensor | float,
  seed: tf.Tensor,
  pipeline: str = "bgc",  # official train.py --augpipe default 'bgc'
  *,
  replica_index: tf.Tensor | int = 0,
  num_replicas: int = 1,
) -> tf.Tensor:
  """images [N, H, W, C] (in [-1, 1]) augmented by `pipeline` (parse_pipeline), each operation
  run on a sample with probability p (a scalar; p = 0 returns the images exactly); the same
  dtype out, differentiable with respect to the images.

  seed: a stateless int32 [2] seed. Parameters are drawn for num_replicas x N samples and this
  call takes rows [replica_index N, (replica_index + 1) N): under a strategy, pass a seed
  without the replica id and the replica's index, and N replicas draw as one device."""
  ops = parse_pipeline(pipeline)
  if images.shape.rank != 4:
    raise ValueError(f"images must be [N, H, W, C], got shape {images.shape}")
  if num_replicas < 1:
    raise ValueError(f"num_replicas must be >= 1, got {num_replicas!r}")
  channels = images.shape[-1]
  if any(op in COLOR for op in ops) and channels not in (1, 3):
    raise ValueError(f"colour operations need 1 or 3 channels, got images of shape {images.shape}")
  p = tf.cast(p, tf.float32)
  shape = tf.shape(images)
  n = shape[0]
  start = tf.cast(replica_index, tf.int32) * n
  draws = _Draws(tf.cast(seed, tf.int32), n * num_replicas, start, n)
  x = images
  if any(op in BLIT + GEOM for op in ops):
    x = transform_geometry(x, geometric_matrix(ops, draws, p, shape[2], shape[1]))
  if any(op in COLOR for op in ops):
    x = transform_color(x, color_matrix(ops, draws, p, channels))
  return tf.cast(x, images.dtype)


def ada_adjust(
  p: tf.Tensor,
  signs_real: tf.Tensor,
  images: int,
  target: float = ADA_TARGET,
  kimg: float = ADA_KIMG,
) -> tf.Tensor:
  """The next p (official training_loop.py): max(p + sign(r_t - target) x images / (kimg x
  1000), 0), r_t = `signs_real` the mean of sign(D(x)) over D's real logits since the last
  adjustment, `images` the images of those steps (global batch x interval)."""
  if target <= 0 or kimg <= 0:
    raise ValueError(f"target and kimg must be > 0, got {target!r}, {kimg!r}")
  p = tf.convert_to_tensor(p, tf.float32)
  step = tf.sign(tf.cast(signs_real, tf.float32) - target) * (images / (kimg * 1000.0))
  return tf.maximum(p + step, 0.0)
