"""Walks through a synthesis generator's latent space: interpolation videos between seeds; for
style-based generators (StyleGAN2) also style mixing, walks in W and projection of an image into W.

`interpolate(model_path, output_dir, seeds=(a, b, ...), frames=F)` draws each seed's latent as
`bin.generate` does (data.latents.sample_latents, the first row of the seed's draw), walks from
seed to seed in `frames` steps per leg (the last leg returns to the first seed when `loop`), and
writes output_dir/frame_00000.png ..., output_dir/interpolation.gif (Pillow, `fps` frames a second)
and output_dir/interpolation.json (what was asked). The walk in Z is spherical (slerp of the
directions, as Karras et al. 2019, Sec. 4.2 interpolate in Z, with the norms lerped so that a
N(0, I) latent keeps its typical length) for normal latents and linear for uniform ones.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from jobs.generate import load_generator, run_batched
from tfgan_repro.data.latents import class_ids, sample_latents
from tfgan_repro.data.transforms import to_uint8
from tfgan_repro.evaluation.features import load_extractor
from tfgan_repro.tasks import synthesis
from tfgan_repro.tasks.style_generator import StyleGenerator, noise_variables, style_parts
from tfgan_repro.training import checkpointing
from tfgan_repro.training.images import save_png
from tfgan_repro.util.atomic import write_json_atomic

GIF_FILE = "interpolation.gif"
RECORD_FILE = "interpolation.json"
MAX_FRAMES = 10_000  # frames of one call: a bound on the PNGs and the GIF held in memory


def slerp_norm(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
  """Rows a, b [D] -> [T, D] at t [T]: the direction by spherical interpolation, the length by
  linear interpolation of |a| and |b| (a = b: constant)."""
  na, nb = np.linalg.norm(a), np.linalg.norm(b)
  ua, ub = a / max(na, 1e-12), b / max(nb, 1e-12)
  omega = np.arccos(np.clip(ua @ ub, -1.0, 1.0))
  t = t[:, None]  # [T, 1]
  if omega < 1e-6:
    direction = (1 - t) * ua + t * ub
  else:
    direction = (np.sin((1 - t) * omega) * ua + np.sin(t * omega) * ub) / np.sin(omega)
  return (direction * ((1 - t) * na + t * nb)).astype(np.float32)


def path_latents(
  ends: np.ndarray, frames: int, loop: bool = True, spherical: bool = True
) -> np.ndarray:
  """The walk through `ends` [K, D]: `frames` points per leg (t = 0, 1/frames, ...), the end
  point of the last leg included when not `loop` -> float32 [legs * frames (+ 1), D]."""
  if len(ends) < 2:
    raise ValueError(f"an interpolation needs >= 2 seeds, got {len(ends)}")
  if frames < 1:
    raise ValueError(f"frames must be >= 1, got {frames!r}")
  count = (len(ends) if loop else len(ends) - 1) * frames + (0 if loop else 1)
  if count > MAX_FRAMES:
    raise ValueError(f"{count} frames asked (seeds x frames); at most {MAX_FRAMES} per call")
  stops = np.concatenate([ends, ends[:1]]) if loop else ends
  t = np.arange(frames) / frames
  legs = [
    slerp_norm(a, b, t) if spherical else ((1 - t[:, None]) * a + t[:, None] * b)
    for a, b in zip(stops[:-1], stops[1:], strict=True)
  ]
  if not loop:
    legs.append(stops[-1:])
  return np.concatenate(legs).astype(np.float32)


def save_frames(images: np.ndarray, output_dir: str, fps: int = 15) -> list[str]:
  """uint8 frames [F, S, S, C] -> output_dir/frame_00000.png ... and interpolation.gif (written
  whole or not at all); returns the PNG names."""
  if fps < 1:
    raise ValueError(f"fps must be >= 1, got {fps!r}")
  os.makedirs(output_dir, exist_ok=True)
  names = [f"frame_{i:05d}.png" for i in range(len(images))]
  for name, image in zip(names, images, strict=True):
    save_png(image, os.path.join(output_dir, name))
  pictures = [Image.fromarray(im[..., 0] if im.shape[-1] == 1 else im) for im in images]
  gif = os.path.join(output_dir, GIF_FILE)
  tmp = gif + ".tmp"
  pictures[0].save(
    tmp, format="GIF", save_all=True, append_images=pictures[1:], duration=1000 // fps, loop=0
  )
  os.replace(tmp, gif)
  return names


def interpolate(
  model_path: str,
  output_dir: str,
  *,
  seeds: Sequence[int],
  frames: int = 30,
  loop: bool = True,
  fps: int = 15,
  class_id: int | None = None,
) -> dict:
  """Writes the interpolation of the module docstring; returns its record (the paths written)."""
  seeds = [int(s) for s in seeds]
  generator = load_generator(model_path)
  spec = generator.spec
  if spec.num_classes and class_id is None:
    class_id = 0
  if class_id is not None:
    class_ids(1, spec.num_classes, [class_id])  # ValueError for an id outside the classes
  ends = np.stack([sample_latents(s, 1, spec.z_dim, spec.distribution).numpy()[0] for s in seeds])
  z = path_latents(ends, frames, loop, spherical=spec.distribution == "normal")
  ids = None if class_id is None else np.full([len(z)], class_id, np.int32)
  images = to_uint8(run_batched(generator, z, ids))
  if images.ndim != 4:
    raise ValueError(f"model {model_path!r} makes points, not images: nothing to interpolate")
  names = save_frames(images, output_dir, fps)
  record = {
    "model": os.path.abspath(model_path),
    "kind": generator.kind,
    "seeds": seeds,
    "frames_per_leg": frames,
    "loop": loop,
    "space": "z",
    "class_id": class_id,
    "frames": names,
    "gif": GIF_FILE,
  }
  write_json_atomic(os.path.join(output_dir, RECORD_FILE), record)
  return record


# ---- style-based generators (StyleGAN2): W space ----------------------------------------------
MIX_FILE = "style_mixing.png"
PROJECTION_FILES = ("target.png", "projected.png", "projected_w.npz", "projection.json")
# official stylegan2-ada-pytorch projector.py project() defaults
PROJECT_STEPS = 1000  # num_steps
W_AVG_SAMPLES = 10_000  # w_avg_samples (w_std's estimate)
INITIAL_LR = 0.1  # initial_learning_rate
INITIAL_NOISE_FACTOR = 0.05  # initial_noise_factor
LR_RAMPDOWN, LR_RAMPUP, NOISE_RAMP = 0.25, 0.05, 0.75  # lr_rampdown / lr_rampup / noise_ramp_length
NOISE_REG_WEIGHT = 1e5  # regularize_noise_weight


def load_style_generator(workdir: str) -> StyleGenerator:
  """The shipped G (the EMA copy) of the run at `workdir` (a training run, or an imported official
  generator's, bin.import_stylegan2) in its parts; ValueError for a G that is not style-based."""
  _, model, _ = checkpointing.load_run(workdir)
  return style_parts(model.shipped_generators[synthesis.GENERATOR])


def mix_styles(
  style: StyleGenerator,
  row_seeds: Sequence[int],
  col_seeds: Sequence[int],
  col_styles: Sequence[int],
  psi: float = 1.0,
) -> np.ndarray:
  """The style-mixing grid (Karras et al. 2019, Sec. 3.1, Fig. 3; official style_mixing.py):
  uint8 [(R + 1) S, (C + 1) S, 3]: row 0 the column seeds' images, column 0 the row seeds', cell
  (r, c) the ws of row r with the layers `col_styles` taken from column c (psi on every w)."""
  bad = [i for i in col_styles if not 0 <= int(i) < style.num_ws]
  if bad or not col_styles:
    raise ValueError(f"col_styles must be layer indices in [0, {style.num_ws}), got {col_styles}")
  rows = style.ws(style.w_of_seeds(list(row_seeds)), psi)  # [R, num_ws, w_dim]
  cols = style.ws(style.w_of_seeds(list(col_seeds)), psi)  # [C, num_ws, w_dim]
  mixed = np.repeat(rows[:, None], len(cols), axis=1)  # [R, C, num_ws, w_dim]
  mixed[:, :, list(col_styles)] = cols[None][:, :, list(col_styles)]
  images = to_uint8(style.images(np.concatenate([rows, cols, mixed.reshape(-1, *rows.shape[1:])])))
  size, channels = images.shape[1], images.shape[-1]
  grid = np.zeros(((len(rows) + 1) * size, (len(cols) + 1) * size, channels), np.uint8)
  for i in range(len(rows)):
    grid[(i + 1) * size : (i + 2) * size, :size] = images[i]
  for j in range(len(cols)):
    grid[:size, (j + 1) * size : (j + 2) * size] = images[len(rows) + j]
  for k, image in enumerate(images[len(rows) + len(cols) :]):
    i, j = divmod(k, len(cols))
    grid[(i + 1) * size : (i + 2) * size, (j + 1) * size : (j + 2) * size] = image
  return grid


def style_mixing(
  workdir: str,
  output_dir: str,
  *,
  row_seeds: Sequence[int],
  col_seeds: Sequence[int],
  col_styles: Sequence[int] = tuple(range(7)),  # official --styles 0-6 (coarse and middle)
  psi: float = 1.0,
) -> str:
  """Writes output_dir/style_mixing.png (mix_styles of the run's shipped G); returns its path."""
  grid = mix_styles(load_style_generator(workdir), row_seeds, col_seeds, col_styles, psi)
  os.makedirs(output_dir, exist_ok=True)
  return save_png(grid, os.path.join(output_dir, MIX_FILE))


def interpolate_w(
  style: StyleGenerator, seeds: Sequence[int], frames: int, loop: bool = True, psi: float = 1.0
) -> np.ndarray:
  """Frames uint8 [F, S, S, C] of a linear walk in W through the seeds' w (StyleGAN Sec. 4.2:
  W interpolates linearly)."""
  w = path_latents(style.w_of_seeds(list(seeds)), frames, loop, spherical=False)
  return to_uint8(style.images(style.ws(w, psi)))


def _lr_ramp(t: float) -> float:
  """The official projector's learning-rate factor at progress t in [0, 1]: cosine ramp-down over
  the last LR_RAMPDOWN, linear ramp-up over the first LR_RAMPUP."""
  ramp = min(1.0, (1.0 - t) / LR_RAMPDOWN)
  return (0.5 - 0.5 * np.cos(ramp * np.pi)) * min(1.0, t / LR_RAMPUP)


def noise_regularization(noise: tf.Tensor) -> tf.Tensor:
  """The official projector's noise regulariser of one noise image [H, W]: squared
  auto-correlation at a one-pixel shift along each axis, summed over the octaves down to 8 px."""
  x = noise[None, :, :, None]  # [1, H, W, 1]
  reg = tf.constant(0.0)
  while True:
    reg += tf.reduce_mean(x * tf.roll(x, 1, axis=2)) ** 2
    reg += tf.reduce_mean(x * tf.roll(x, 1, axis=1)) ** 2
    if x.shape[1] <= 8:
      return reg
    x = tf.nn.avg_pool2d(x, 2, 2, "VALID")


def project(
  style: StyleGenerator,
  target: np.ndarray,
  *,
  steps: int = PROJECT_STEPS,
  features: keras.Model | None = None,
  seed: int = 0,
  w_avg_samples: int = W_AVG_SAMPLES,
) -> tuple[np.ndarray, list[float]]:
  """Projects `target` (float [S, S, C] in [-1, 1]) into W (Karras et al. 2020, Sec. 5; official
  projector.py): one w, starting at w_avg, with decaying noise on w, and the synthesis' noise
  images, optimised by Adam under the learning-rate ramps and the noise regulariser. The
  distance is the squared distance of `features` (a judge or extractor network: images ->
  [N, D]) or, without one, the mean squared pixel error (the official LPIPS VGG16 distance needs
  weights this library does not ship) -> (w [w_dim], the distance at each step)."""
  if steps < 1:
    raise ValueError(f"steps must be >= 1, got {steps!r}")
  shape = tuple(style.synthesis.outputs[0].shape[1:])
  if tuple(np.shape(target)) != shape:
    raise ValueError(f"target must be an image of shape {shape}, got {np.shape(target)}")
  z = sample_latents(seed, w_avg_samples, style.z_dim).numpy()
  w_std = float(np.sqrt(((style.map(z) - style.w_avg) ** 2).sum() / w_avg_samples))

  def distance(images: tf.Tensor) -> tf.Tensor:
    if features is None:
      return tf.reduce_mean(tf.square(images - target))
    return tf.reduce_sum(tf.square(features(images) - features(target[None])))

  noises = noise_variables(style)
  rng = np.random.default_rng(seed)
  for noise in noises:  # official: noise buffers start as fresh N(0, 1)
    noise.assign(rng.standard_normal(noise.shape).astype(np.float32))
  w = keras.Variable(style.w_avg[None], name="projected_w")  # [1, w_dim]
  optimizer = keras.optimizers.Adam(INITIAL_LR, beta_1=0.9, beta_2=0.999)  # official betas
  variables = [w, *noises]
  optimizer.build(variables)
  history = []

  @tf.function
  def descend(w_noise: tf.Tensor) -> tf.Tensor:
    with tf.GradientTape() as tape:
      tape.watch([v.value for v in variables])  # the noise images are not trainable
      ws = tf.repeat((w + w_noise)[:, None], style.num_ws, axis=1)  # [1, num_ws, w_dim]
      dist = distance(style.synthesis(ws, training=False))
      loss = dist + NOISE_REG_WEIGHT * tf.add_n([noise_regularization(n) for n in noises])
    grads = tape.gradient(loss, [v.value for v in variables])
    optimizer.apply_gradients(zip(grads, variables, strict=True))
    for noise in noises:  # official: renormalise each noise image to mean 0, variance 1
      centred = noise - tf.reduce_mean(noise)
      noise.assign(centred * tf.math.rsqrt(tf.reduce_mean(tf.square(centred))))
    return dist

  for step in range(steps):
    t = step / steps
    noise_scale = w_std * INITIAL_NOISE_FACTOR * max(0.0, 1.0 - t / NOISE_RAMP) ** 2
    optimizer.learning_rate = INITIAL_LR * _lr_ramp(t)
    dist = descend(tf.constant(rng.standard_normal(w.shape).astype(np.float32) * noise_scale))
    history.append(float(dist))
  return np.asarray(w)[0], history


def project_image(
  workdir: str,
  target_path: str,
  output_dir: str,
  *,
  steps: int = PROJECT_STEPS,
  extractor: str | None = None,
  seed: int = 0,
) -> dict:
  """Projects the image file `target_path` into the W of the run at `workdir`; writes
  target.png, projected.png, projected_w.npz (key "w", [1, w_dim], as the official) and
  projection.json (the distance at each step); returns the record."""
  style = load_style_generator(workdir)
  size, channels = style.synthesis.outputs[0].shape[1], style.synthesis.outputs[0].shape[-1]
  image = Image.open(target_path).convert("RGB" if channels == 3 else "L")
  side = min(image.size)  # official projector: centre crop, then a Lanczos resize
  left, top = (image.width - side) // 2, (image.height - side) // 2
  image = image.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
  target = np.asarray(image, np.float32).reshape(size, size, channels) / 127.5 - 1.0
  net = load_extractor(extractor).model if extractor else None
  w, history = project(style, target, steps=steps, features=net, seed=seed)
  os.makedirs(output_dir, exist_ok=True)
  save_png(to_uint8(target[None])[0], os.path.join(output_dir, PROJECTION_FILES[0]))
  projected = to_uint8(style.images(style.ws(w[None])))[0]
  save_png(projected, os.path.join(output_dir, PROJECTION_FILES[1]))
  np.savez(os.path.join(output_dir, PROJECTION_FILES[2]), w=w[None])
  record = {
    "model": os.path.abspath(workdir),
    "target": os.path.abspath(target_path),
    "steps": steps,
    "extractor": extractor,
    "distance": history,
  }
  write_json_atomic(os.path.join(output_dir, PROJECTION_FILES[3]), record)
  return record
