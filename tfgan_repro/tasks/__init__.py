"""Tasks: what a family is evaluated on, shows and exports (translation, attribute editing)."""
