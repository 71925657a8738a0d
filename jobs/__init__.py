"""Jobs built on the library and export/: the main job (train -> evaluate -> export), translate."""
