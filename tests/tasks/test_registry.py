"""The task registry: every registered model declares a registered task; lookups fail clearly."""

from __future__ import annotations

import importlib

import keras
import pytest

from configs import cyclegan
from tfgan_repro import models
from tfgan_repro.models.pretrained import PretrainedGenerator
from tfgan_repro.tasks import TASKS, Task, register_task, task_of

# What each family is (README): translation, attribute editing, or synthesis.
FAMILY_TASKS = {
  "dcgan": "synthesis",
  "cycle_gan": "translation",
  "pix2pix": "translation",
  "pix2pixhd": "translation",
  "pretrained": "translation",
  "fader": "attribute_editing",
  "fader_gan": "attribute_editing",
  "stargan": "attribute_editing",
  "cycle_cgan": "attribute_editing",
}


def _config(name: str):
  """The model's "tiny" config, or its config module's default where it has none (pretrained)."""
  module = importlib.import_module(models.MODELS.get(name).config_module)
  return module.get_config("tiny") if "tiny" in module.VARIANTS else module.get_config()


def _generator() -> keras.Model:
  inputs = keras.Input((None, None, 3))
  return keras.Model(inputs, keras.layers.Identity()(inputs))


@pytest.mark.parametrize("name", models.MODELS.names())
def test_every_registered_model_declares_a_registered_task(name):
  config = _config(name)
  assert config.model == name
  task = task_of(models.build_model(config))
  assert task is TASKS.get(task.name)
  assert task.name == FAMILY_TASKS.get(name, task.name)


def test_the_registered_tasks_and_what_they_take():
  assert TASKS.names() == ["attribute_editing", "synthesis", "translation"]
  translation, editing = TASKS.get("translation"), TASKS.get("attribute_editing")
  assert (translation.inputs, translation.judges) == (("images",), ("segmenter",))
  assert (editing.inputs, editing.judges) == (("images", "attributes"), ("classifier",))
  synthesis = TASKS.get("synthesis")
  assert (synthesis.inputs, synthesis.judges) == (("latents",), ("extractor",))


def test_an_unknown_task_fails_listing_the_valid_ones():
  with pytest.raises(ValueError, match=r"unknown task 'video'; valid: attribute_editing, "):
    TASKS.get("video")

  class Unregistered(PretrainedGenerator):
    task = "video"

  with pytest.raises(ValueError, match=r"^unknown task 'video'; valid: attribute_editing, sy"):
    task_of(Unregistered(G=_generator()))


def test_a_model_declaring_no_task_is_refused_naming_its_class():
  class Undeclared(PretrainedGenerator):
    task = None

  with pytest.raises(
    ValueError,
    match=r"model Undeclared declares no task .*valid: attribute_editing, synthesis, translation",
  ):
    task_of(Undeclared(G=_generator()))


def test_a_task_name_registered_twice_is_refused():
  with pytest.raises(ValueError, match="task 'translation' is already registered"):
    register_task("translation")(Task)
  assert type(TASKS.get("translation")).__name__ == "TranslationTask"


def test_translate_refuses_a_task_whose_generators_need_more_than_images():
  TASKS.get("translation").check_feeds("translate", ("images",))  # images -> images: fed
  with pytest.raises(
    ValueError,
    match=r"^translate feeds 'images' only; the generators of task 'attribute_editing' take "
    r"'images', 'attributes', 'attributes' missing",
  ):
    TASKS.get("attribute_editing").check_feeds("translate", ("images",))


def test_a_judge_the_task_does_not_take_is_refused_before_scoring():
  config = cyclegan.get_config("tiny")
  model = PretrainedGenerator(G=_generator())
  with pytest.raises(
    ValueError, match=r"task 'translation' takes no judge 'classifier'; valid: segmenter"
  ):
    TASKS.get("translation").evaluate(config, model, classifier="cls.keras")
  with pytest.raises(ValueError, match=r"task 'attribute_editing' takes no judge 'segmenter'"):
    TASKS.get("attribute_editing").evaluate(config, model, segmenter="seg.keras")
