"""translate_bytes refuses images over the pixel cap from their header, before decoding: a 1.1 MB
PNG of 20000 x 20000 pixels is an InvalidArgument naming its size and the cap, in bounded
memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import pytest
import tensorflow as tf

from export import export_saved_model
from export.serving_io import header_size
from tests.faults.images import bomb_png
from tfgan_repro import nets
from tfgan_repro.data.image_header import DEFAULT_MAX_PIXELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_RSS_BYTES = 3 * 2**30  # the bomb decodes to 1.2 GB of uint8 (4.8 GB as float32)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
  keras.utils.set_random_seed(0)
  path = str(tmp_path_factory.mktemp("cap") / "resnet")
  return export_saved_model(nets.build("resnet_6", ngf=4), path, translate_bytes=True)


def _png(height: int, width: int) -> bytes:
  return tf.io.encode_png(tf.zeros((height, width, 3), tf.uint8)).numpy()


def test_header_size_reads_png_and_jpeg_without_decoding():
  bomb = bomb_png()
  assert [int(v) for v in header_size(tf.constant(bomb))] == [20000, 20000]
  jpeg = tf.io.encode_jpeg(tf.zeros((7, 11, 3), tf.uint8)).numpy()
  assert [int(v) for v in header_size(tf.constant(jpeg))] == [11, 7]  # width, height
  assert [int(v) for v in header_size(tf.constant(b"\x89PNG\r\n\x1a\n"))] == [0, 0]  # truncated


def test_bomb_png_is_refused_naming_size_and_cap_in_bounded_memory(saved_model, tmp_path):
  bomb = tmp_path / "bomb.png"
  bomb.write_bytes(bomb_png())
  assert 1_000_000 < bomb.stat().st_size < 1_300_000
  script = textwrap.dedent(
    f"""
    import json, tensorflow as tf
    loaded = tf.saved_model.load({saved_model!r})
    data = open({str(bomb)!r}, "rb").read()
    try:
      loaded.signatures["translate_bytes"](image_bytes=tf.constant([data]))
      error = None
    except tf.errors.InvalidArgumentError as err:
      error = err.message
    # VmHWM: this process's peak RSS (getrusage's ru_maxrss is kept across exec, so it would
    # count the forking pytest process's).
    status = open("/proc/self/status").read()
    rss = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) * 1024
    print(json.dumps({{"error": error, "rss": rss}}))
    """
  )
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
  proc = subprocess.run(
    [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
  )
  assert proc.returncode == 0, proc.stderr[-2000:]
  found = json.loads(proc.stdout.strip().splitlines()[-1])
  assert found["error"] is not None
  assert "instance] [0] [is too large:] [20000] [x] [20000] [pixels >]" in found["error"]
  assert f"cap max_pixels = {DEFAULT_MAX_PIXELS}" in found["error"]
  assert found["rss"] < MAX_RSS_BYTES


def test_a_lower_cap_refuses_png_and_jpeg_over_it_and_takes_those_within(tmp_path):
  keras.utils.set_random_seed(0)
  path = export_saved_model(
    nets.build("resnet_6", ngf=4), str(tmp_path / "sm"), translate_bytes=True, max_pixels=100
  )
  fn = tf.saved_model.load(path).signatures["translate_bytes"]
  (out,) = fn(image_bytes=tf.constant([_png(10, 10)]))["png_bytes"].numpy()  # 100 pixels: taken
  assert tf.io.decode_png(out).shape == (10, 10, 3)
  jpeg = tf.io.encode_jpeg(tf.zeros((9, 12, 3), tf.uint8)).numpy()
  for data, size in ((_png(10, 11), "[11] [x] [10]"), (jpeg, "[12] [x] [9]")):
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"too large") as err:
      fn(image_bytes=tf.constant([_png(4, 4), data]))
    assert f"instance] [1] [is too large:] {size} [pixels >] [cap max_pixels = 100]" in str(
      err.value
    )
