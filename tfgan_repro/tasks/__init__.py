"""Tasks: what a family is evaluated on, shows and exports, by name (tasks.registry)."""

from tfgan_repro.tasks import (
  attribute_editing,  # noqa: F401  (registers "attribute_editing")
  synthesis,  # noqa: F401  (registers "synthesis")
  translation,  # noqa: F401  (registers "translation")
)
from tfgan_repro.tasks.registry import TASKS, Task, register_task, task_of

__all__ = ["TASKS", "Task", "register_task", "task_of"]
