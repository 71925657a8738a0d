"""Config blocks shared by every family (data, optimizer, training loop, eval, export)."""

from __future__ import annotations

import ml_collections

from tfgan_repro.data import default_data_config


def optimizer_config() -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(
    {
      "lr": 2e-4,  # official --lr 0.0002
      "beta1": 0.5,  # official --beta1 0.5
      "beta2": 0.999,  # official: Adam betas (beta1, 0.999)
      "n_epochs": 100,  # official --n_epochs 100: epochs at the initial lr
      "n_epochs_decay": 100,  # official --n_epochs_decay 100: epochs of linear decay to 0
    }
  )


def train_config() -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(
    {
      # Steps in one epoch; 0 = max(|A|, |B|) / batch, the official unaligned dataset length.
      "steps_per_epoch": 0,
      # Stop after this many steps (0 = the whole schedule, (n_epochs + n_epochs_decay) epochs).
      "max_steps": 0,
      "checkpoint_every": 500,  # steps; a killed run loses at most this many
      "keep_checkpoints": 3,
      "log_every": 50,  # steps between TensorBoard scalars
      "image_every": 500,  # steps between TensorBoard image grids
      "pool_size": 50,  # official --pool_size 50
      # auto (Mirrored over GPUs, else the default device) | mirrored | default | multi_worker
      # (MultiWorkerMirrored over TF_CONFIG's cluster) | tpu (docs/distributed.md)
      "strategy": "auto",
      "tpu": "",  # strategy tpu: TPU name or grpc://host:port; "" = TPUClusterResolver finds it
      # strategy multi_worker: seconds before a collective waiting on a dead worker fails
      # (CommunicationOptions.timeout_seconds; 0 = no limit, TF's default)
      "collective_timeout": 0,
      "jit_compile": False,  # XLA; measured slower on CPU (docs/pitfalls.md, Keras 3 on TensorFlow)
      # float32 | mixed_float16 | mixed_bfloat16: the Keras dtype policy of the nets (Keras mixed
      # precision guide); mixed_float16 adds dynamic loss scaling (Micikevicius et al. 2018).
      "precision": "float32",
    }
  )


def eval_config() -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(
    {
      "num_images": 100,
      "sample_rows": 6,
      # FCN-score segmenter (.keras from //bin:train_segmenter; pix2pix paper Sec. 4.2)
      # for city runs; "" = off (eval.json says so).
      "segmenter": "",
      # Attribute classifier (.keras from //bin:train_attribute_classifier) that scores
      # attribute edits (flip / keep accuracy, tasks/attribute_editing.py); "" = off (the result
      # says so).
      "classifier": "",
      # Slider sweep of each attribute's G input, (lo, hi) in G units: Fader / StarGAN's a slides
      # past its trained {0, 1} to [0, 5] (official Fader interpolate.py --alpha_max, 2 to 10 in
      # its README); CycleCGAN's configs set (-3, 3).
      "slider": (0.0, 5.0),
      "slider_steps": 11,  # columns of the slider sheets: [0, 5] in steps of 0.5 (hits 0 and 1)
    }
  )


def export_config() -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(
    {
      "enabled": True,
      "tflite_size": 0,  # 0 = the training crop size
      "tolerance": 1e-4,  # max abs difference of an artifact against Keras
      "num_check_images": 4,
    }
  )


def base_config(model: str) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.model = model
  config.seed = 0
  config.batch_size = 1  # official --batch_size 1 (global over replicas)
  config.data = default_data_config()
  config.optimizer = optimizer_config()
  config.train = train_config()
  config.eval = eval_config()
  config.export = export_config()
  return config


def test_sized(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """`config` cut to a seconds-long run for tests (each family's `tiny` sizes its nets itself):
  8 / 4 scenes, 1 + 1 epochs, a checkpoint every 4 steps, small eval and export checks."""
  config.data.num_train = 8
  config.data.num_test = 4
  config.optimizer.n_epochs = 1
  config.optimizer.n_epochs_decay = 1
  config.train.checkpoint_every = 4
  config.train.log_every = 2
  config.train.image_every = 4
  config.eval.num_images = 4
  config.eval.sample_rows = 2
  config.export.num_check_images = 2
  return config
