"""Procedural datasets that know the right answer (DESIGN.md, "Procedural datasets with ground truth")."""
