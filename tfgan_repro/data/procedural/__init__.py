"""Procedural datasets that know the right answer (docs/design.md, "Procedural datasets with
ground truth")."""
