"""Name -> object registries filled by decorators (docs/design.md, Style 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
  """A named collection; registering a name twice raises, an unknown name lists the valid ones."""

  def __init__(self, kind: str):
    self.kind = kind
    self._entries: dict[str, T] = {}

  def add(self, name: str, entry: T) -> T:
    if name in self._entries:
      raise ValueError(f"{self.kind} {name!r} is already registered")
    self._entries[name] = entry
    return entry

  def register(self, name: str) -> Callable[[T], T]:
    """Decorator form of `add`."""
    return lambda entry: self.add(name, entry)

  def get(self, name: str) -> T:
    if name not in self._entries:
      raise ValueError(f"unknown {self.kind} {name!r}; valid: {', '.join(sorted(self._entries))}")
    return self._entries[name]

  def names(self) -> list[str]:
    return sorted(self._entries)

  def __contains__(self, name: Any) -> bool:
    return name in self._entries

  def __iter__(self) -> Iterator[str]:
    return iter(self.names())
