"""A training run's workdir across reruns: config.json is written once (atomically) before the
first step, and every rerun compares the full resolved config with it:

- identical: resume;
- different: refused, naming each changed key with its old and new value, unless every changed
  key is listed in `resume_changed` and may change on resume (RESUMABLE), which updates config.json;
- `overwrite`: the run starts afresh (OWNED removed; export/ versions are kept).

The workdir is checked writable before anything else happens."""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import shutil
from collections.abc import Iterable

import ml_collections
from absl import logging

from tfgan_repro.training.checkpointing import CHECKPOINT_DIR, CONFIG_FILE
from tfgan_repro.util.atomic import write_text_atomic

# Keys that change neither the checkpointed state nor what a step computes, so a resumed run may
# take new values: when to stop, how often to log, how many checkpoints to keep, where the TPU is
# and how long a collective may wait, evaluation and export. Left out: train.checkpoint_every (the fit epochs are whole checkpoint intervals from
# step 0), train.strategy (replicas hold their own image pools) and everything of model, data,
# losses and optimizers.
RESUMABLE = (
  "train.max_steps",
  "train.log_every",
  "train.image_every",
  "train.keep_checkpoints",
  "train.tpu",
  "train.collective_timeout",
  "eval.*",
  "export.*",
)
# What --overwrite removes; export/ (served versions) stays.
OWNED = (CONFIG_FILE, CHECKPOINT_DIR, "tensorboard", "eval.json", "samples.png", "sliders.json")
OWNED_GLOBS = ("sliders_*.png",)
_MISSING = "(absent)"


class ConfigChangedError(ValueError):
  """A rerun's config differs from the run's config.json in keys not allowed to change."""


def flatten(tree: dict, prefix: str = "") -> dict[str, object]:
  """{"a.b": leaf} of a nested dict (JSON values)."""
  out: dict[str, object] = {}
  for key, value in tree.items():
    name = f"{prefix}{key}"
    if isinstance(value, dict) and value:
      out.update(flatten(value, f"{name}."))
    else:
      out[name] = value
  return out


def config_json(config: ml_collections.ConfigDict) -> str:
  """The resolved config as config.json stores it."""
  return config.to_json(indent=2, sort_keys=True)


def config_diff(old: dict, new: dict) -> dict[str, tuple[object, object]]:
  """{key: (old, new)} of the leaves that differ (a missing key shows as "(absent)")."""
  flat_old, flat_new = flatten(old), flatten(new)
  return {
    key: (flat_old.get(key, _MISSING), flat_new.get(key, _MISSING))
    for key in sorted(set(flat_old) | set(flat_new))
    if flat_old.get(key, _MISSING) != flat_new.get(key, _MISSING)
  }


def resumable(key: str) -> bool:
  """Whether `key` may change when a run resumes (RESUMABLE)."""
  return any(fnmatch.fnmatchcase(key, pattern) for pattern in RESUMABLE)


def check_writable(workdir: str) -> None:
  """Creates `workdir` and writes a probe file into it and into its checkpoints/ if there is
  one; OSError naming the path otherwise."""
  folders = [workdir, os.path.join(workdir, CHECKPOINT_DIR)]
  for folder in folders:
    try:
      if folder == workdir:
        os.makedirs(folder, exist_ok=True)
      elif not os.path.isdir(folder):
        continue
      probe = os.path.join(folder, f".write-probe-{os.getpid()}")
      with open(probe, "wb") as f:
        f.write(b"ok")
      os.remove(probe)
    except OSError as err:
      kind = "workdir" if folder == workdir else "checkpoint folder"
      raise OSError(
        err.errno, f"{kind} {folder!r} is not writable ({err.strerror}); nothing was trained"
      ) from err


def remove_run(workdir: str) -> list[str]:
  """Removes what a run wrote into `workdir` (OWNED, OWNED_GLOBS), keeping export/; returns the
  removed paths."""
  paths = [os.path.join(workdir, name) for name in OWNED]
  paths += [p for pattern in OWNED_GLOBS for p in glob.glob(os.path.join(workdir, pattern))]
  removed = []
  for path in paths:
    if os.path.isdir(path):
      shutil.rmtree(path)
    elif os.path.lexists(path):
      os.remove(path)
    else:
      continue
    removed.append(path)
  return removed


def _listed(key: str, listed: Iterable[str]) -> bool:
  return any(fnmatch.fnmatchcase(key, pattern) for pattern in listed)


def _changed_message(workdir: str, changes: dict, listed: Iterable[str]) -> str:
  lines = [f"  {key}: {old!r} -> {new!r}" for key, (old, new) in changes.items()]
  blocked = [key for key in changes if not resumable(key)]
  unlisted = [key for key in changes if not _listed(key, listed)]
  hint = (
    f"--resume_changed={','.join(unlisted)} resumes with the new values"
    if not blocked
    else f"{', '.join(blocked)} cannot change on resume"
  )
  return (
    f"workdir {workdir!r} holds a run of another config ({CONFIG_FILE}); changed:\n"
    + "\n".join(lines)
    + f"\n{hint}. Rerun with the config of {CONFIG_FILE} to resume, --overwrite to start afresh "
    "(removes checkpoints/, tensorboard/, config.json, eval.json and the samples; keeps export/), "
    "or use another --workdir. Keys that may change on resume (--resume_changed=KEY,...): "
    f"{', '.join(RESUMABLE)}."
  )


def open_run(
  config: ml_collections.ConfigDict,
  workdir: str,
  *,
  resume_changed: Iterable[str] = (),
  overwrite: bool = False,
) -> str:
  """Makes `workdir` ready for `config` (module docstring); returns "new", "resume" or
  "resume_changed". ConfigChangedError naming every changed key; ValueError for a
  `resume_changed` key (or pattern: "eval.*") that may not change; OSError for a workdir that
  is not writable."""
  listed = [key.strip() for key in resume_changed if key.strip()]
  bad = [key for key in listed if not resumable(key)]
  if bad:
    raise ValueError(
      f"--resume_changed lists {', '.join(bad)}, which cannot change on resume; keys that may: "
      f"{', '.join(RESUMABLE)}"
    )
  check_writable(workdir)
  if overwrite:
    removed = remove_run(workdir)
    if removed:
      logging.warning("--overwrite: removed %s", ", ".join(removed))
  path = os.path.join(workdir, CONFIG_FILE)
  text = config_json(config)
  if not os.path.exists(path):
    if os.path.isdir(os.path.join(workdir, CHECKPOINT_DIR)):
      logging.warning(
        "%s has checkpoints but no %s: resuming them with this config", workdir, CONFIG_FILE
      )
    write_text_atomic(path, text)  # never half a config
    return "new"
  with open(path) as f:
    previous = json.load(f)
  changes = config_diff(previous, json.loads(text))
  if not changes:
    return "resume"
  if not all(_listed(key, listed) for key in changes):
    raise ConfigChangedError(_changed_message(workdir, changes, listed))
  write_text_atomic(path, text)
  logging.warning(
    "Resuming %s with changed %s",
    workdir,
    "; ".join(f"{k}: {o!r} -> {n!r}" for k, (o, n) in changes.items()),
  )
  return "resume_changed"
