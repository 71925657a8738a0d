"""Semi-supervised labels: only `data.num_labelled` training examples keep their class, balanced
over the classes; every other example's label becomes UNLABELLED (-1).

The protocol of Triple-GAN (Li et al. 2017, Sec. 5: "n labels, balanced") and of its official
code (zhenxuan00/triple-gan x2y_yz2x_xy2p_ssl_cifar10.py): the training set is permuted by
np.random.RandomState(ssl_seed), and the first num_labelled / K examples of each class in that
order keep their labels. Here the permutation is of the source's stored order, so the selection
is a function of (labels, num_labelled, labelled_seed) alone.
"""

from __future__ import annotations

import numpy as np

UNLABELLED = -1  # the label of an example without a class (data/image_sources.py: -1 = none)


def labelled_mask(labels: np.ndarray, num_labelled: int, num_classes: int, seed: int) -> np.ndarray:
  """bool [N]: True for the num_labelled / num_classes examples of each class that keep their
  label, the first of each class in the permutation np.random.RandomState(seed) draws (official
  create-SSL-data order); num_labelled 0: every example keeps its label.

  ValueError naming data.num_labelled when it is negative, not a multiple of num_classes, or
  more than a class holds.
  """
  labels = np.asarray(labels).reshape(-1)
  if not isinstance(num_labelled, int | np.integer) or num_labelled < 0:
    raise ValueError(f"data.num_labelled must be an int >= 0, got {num_labelled!r}")
  if num_labelled == 0:
    return np.ones(len(labels), bool)
  if num_classes < 1 or (labels < 0).any() or (labels >= num_classes).any():
    raise ValueError(
      f"data.num_labelled {num_labelled} needs every training label in [0, {num_classes}); the "
      "source has unlabelled or out-of-range examples"
    )
  if num_labelled % num_classes:
    raise ValueError(
      f"data.num_labelled must be a multiple of the {num_classes} classes (balanced labels), "
      f"got {num_labelled}"
    )
  per_class = num_labelled // num_classes
  counts = np.bincount(labels, minlength=num_classes)  # [K]
  if counts.min() < per_class:
    raise ValueError(
      f"data.num_labelled {num_labelled} asks {per_class} labels per class, but class "
      f"{int(counts.argmin())} has {int(counts.min())} training examples"
    )
  order = np.random.RandomState(seed).permutation(len(labels))  # official rng_data.permutation
  keep = np.zeros(len(labels), bool)
  for k in range(num_classes):
    keep[order[labels[order] == k][:per_class]] = True
  return keep


def semi_supervised_labels(
  labels: np.ndarray, num_labelled: int, num_classes: int, seed: int
) -> np.ndarray:
  """int32 [N]: `labels` with UNLABELLED outside `labelled_mask`."""
  keep = labelled_mask(labels, num_labelled, num_classes, seed)
  return np.where(keep, np.asarray(labels).reshape(-1), UNLABELLED).astype(np.int32)
