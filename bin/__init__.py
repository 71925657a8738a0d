"""Command-line binaries (absl): thin wrappers over jobs/, export/ and the library."""
