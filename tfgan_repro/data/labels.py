"""Semantic label sets of the label-map sources: class names by id and their display colours."""

from __future__ import annotations

import dataclasses

import numpy as np

# Cityscapes instanceIds (official pix2pixHD --instance input): a "thing" instance is
# class * 1000 + k, a "stuff" region its class id.
INSTANCE_ID_BASE = 1000


@dataclasses.dataclass(frozen=True)
class LabelSpec:
  """The classes of a label map, by id, and their colours (uint8 [len(classes), 3])."""

  classes: tuple[str, ...]
  palette: np.ndarray

  def __post_init__(self):
    if self.palette.shape != (len(self.classes), 3):
      raise ValueError(
        f"palette must be [{len(self.classes)}, 3] (one colour per class), got {self.palette.shape}"
      )

  def padded_palette(self, num_classes: int) -> np.ndarray:
    """uint8 [num_classes, 3]: the palette, black for ids past the named classes."""
    if num_classes < len(self.classes):
      raise ValueError(
        f"num_classes must be >= {len(self.classes)} (the classes {self.classes}), "
        f"got {num_classes}"
      )
    extra = np.zeros((num_classes - len(self.classes), 3), np.uint8)
    return np.concatenate([self.palette.astype(np.uint8), extra])


# Cityscapes labelIds 0..33 (cityscapesScripts helpers/labels.py: name, colour), the ids of the
# `*_gtFine_labelIds.png` maps that tfds `cityscapes/semantic_segmentation` stores.
_CITYSCAPES = (
  ("unlabeled", (0, 0, 0)),
  ("ego vehicle", (0, 0, 0)),
  ("rectification border", (0, 0, 0)),
  ("out of roi", (0, 0, 0)),
  ("static", (0, 0, 0)),
  ("dynamic", (111, 74, 0)),
  ("ground", (81, 0, 81)),
  ("road", (128, 64, 128)),
  ("sidewalk", (244, 35, 232)),
  ("parking", (250, 170, 160)),
  ("rail track", (230, 150, 140)),
  ("building", (70, 70, 70)),
  ("wall", (102, 102, 156)),
  ("fence", (190, 153, 153)),
  ("guard rail", (180, 165, 180)),
  ("bridge", (150, 100, 100)),
  ("tunnel", (150, 120, 90)),
  ("pole", (153, 153, 153)),
  ("polegroup", (153, 153, 153)),
  ("traffic light", (250, 170, 30)),
  ("traffic sign", (220, 220, 0)),
  ("vegetation", (107, 142, 35)),
  ("terrain", (152, 251, 152)),
  ("sky", (70, 130, 180)),
  ("person", (220, 20, 60)),
  ("rider", (255, 0, 0)),
  ("car", (0, 0, 142)),
  ("truck", (0, 0, 70)),
  ("bus", (0, 60, 100)),
  ("caravan", (0, 0, 90)),
  ("trailer", (0, 0, 110)),
  ("train", (0, 80, 100)),
  ("motorcycle", (0, 0, 230)),
  ("bicycle", (119, 11, 32)),
)
CITYSCAPES = LabelSpec(
  tuple(name for name, _ in _CITYSCAPES), np.array([c for _, c in _CITYSCAPES], np.uint8)
)
