"""Writes a config's data (whatever data.source reads) as sharded TFRecord files with a JSON
description beside them (tfgan_repro/data/tfrecords.py); train from them with
--config.data.source=tfrecords --config.data.path=OUT.

bazel run //bin:write_tfrecords -- --config=configs/cyclegan.py:seasons64 --out=/tmp/seasons64 \
  --shards=8 --splits=train,test
python -m bin.write_tfrecords --config=configs/cyclegan.py:seasons64 --out=/tmp/seasons64
"""

from __future__ import annotations

from absl import app, flags

from bin import cli
from tfgan_repro import data

_CONFIG = cli.define_config_flag()
_OUT = flags.DEFINE_string("out", None, "Folder to write the shards and tfrecords.json into.")
_SHARDS = flags.DEFINE_integer("shards", 8, "Shard files per split (and domain).")
_SPLITS = flags.DEFINE_list("splits", ["train", "test"], "Splits to write.")
_PREFIX = flags.DEFINE_string("prefix", "", "Shard file names' start; '' = the source's name.")
_VERIFY = flags.DEFINE_bool("verify", True, "Read every written record back (checksums).")

flags.mark_flag_as_required("out")


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  out = cli.user_path(_OUT.value)
  info = data.write_tfrecords(
    _CONFIG.value.data, out, splits=_SPLITS.value, num_shards=_SHARDS.value, prefix=_PREFIX.value
  )
  if _VERIFY.value:
    data.verify_tfrecords(out)
  for split, groups in info["splits"].items():
    for group, g in groups.items():
      size = sum(f["bytes"] for f in g["files"])
      print(f"{split} {group}: {g['count']} examples, shape {g['shape']}, {size / 1e6:.2f} MB")
  print(f"{info['dataset_mode']} from {info['source']}, {info['shards']} shards: {out}")
  print(f"train with: --config.data.source=tfrecords --config.data.path={out}")


if __name__ == "__main__":
  app.run(main, argv=cli.main_argv())
