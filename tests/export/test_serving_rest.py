"""docs/serving.md, run: the REST requests it shows, decoded as TF Serving decodes them, answered by
the exported SavedModel, and the answers decoded as the docs' clients decode them."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import urllib.error
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from export import export_saved_model
from tests.export.test_translate_bytes import (
  expected_png_pixels,
  max_diff,
  png,
  random_pixels,
  tiny_resnet,
)

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "serving.md")
URL = "http://localhost:8501/v1/models/G_AB:predict"  # the docs' model name and port


def docs_blocks(language: str) -> list[str]:
  with open(DOCS) as f:
    return re.findall(rf"```{language}\n(.*?)```", f.read(), flags=re.DOTALL)


def tf_serving_predict(loaded, body: bytes) -> tuple[int, dict]:
  """TF Serving's REST predict (tensorflow_serving/util/json_tensor.cc) for one-input, one-output
  signatures: "instances" (row) or "inputs" (columnar); {"b64": s} -> base64-decoded bytes;
  string outputs named "*_bytes" -> {"b64": ...}; one output -> its values without its name; an
  InvalidArgument -> (400, {"error": message})."""
  request = json.loads(body)
  fn = loaded.signatures[request.get("signature_name", "serving_default")]
  ((key, spec),) = fn.structured_input_signature[1].items()
  row = "instances" in request
  values = request["instances"] if row else request["inputs"][key]
  if row and not values:
    return 400, {"error": "No values in 'instances' array"}
  values = [base64.b64decode(v["b64"], validate=True) if isinstance(v, dict) else v for v in values]
  try:
    ((name, outputs),) = fn(**{key: tf.constant(values, spec.dtype)}).items()
  except tf.errors.InvalidArgumentError as e:
    return 400, {"error": e.message}
  as_b64 = outputs.dtype == tf.string and name.endswith("_bytes")
  items = [
    {"b64": base64.b64encode(v).decode("ascii")} if as_b64 else v.tolist() for v in outputs.numpy()
  ]
  return 200, {"predictions" if row else "outputs": items}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
  model = tiny_resnet()
  path = str(tmp_path_factory.mktemp("rest") / "G_AB" / "1")  # TF Serving: <base>/<version>/
  export_saved_model(model, path, translate_bytes=True)
  assert os.path.isfile(os.path.join(path, "saved_model.pb"))
  return model, tf.saved_model.load(path)


@pytest.fixture
def tf_serving(served, monkeypatch):
  """urllib.request.urlopen answered by the SavedModel as TF Serving would; records requests."""
  _, loaded = served
  requests = []

  def urlopen(request):
    assert request.full_url == URL and request.get_method() == "POST"
    assert request.get_header("Content-type") == "application/json"
    requests.append(json.loads(request.data))
    status, reply = tf_serving_predict(loaded, request.data)
    body = io.BytesIO(json.dumps(reply).encode())
    if status != 200:
      raise urllib.error.HTTPError(URL, status, "Bad Request", {}, body)
    return body

  monkeypatch.setattr(urllib.request, "urlopen", urlopen)
  return requests


def test_docs_python_client_translates_a_jpeg(served, tf_serving, tmp_path, monkeypatch):
  model, _ = served
  (client,) = docs_blocks("python")
  # docs/serving.md's Python client stays short: at most 15 non-blank lines.
  assert len([line for line in client.splitlines() if line.strip()]) <= 15
  pixels = random_pixels(37, 23, seed=11)  # 37 x 23: padded to 40 x 24 inside the signature
  monkeypatch.chdir(tmp_path)
  Image.fromarray(pixels).save("photo.jpg", quality=90)
  exec(compile(client, DOCS, "exec"), {"__name__": "docs_client"})
  (request,) = tf_serving
  with open("photo.jpg", "rb") as f:
    encoded = f.read()
  assert request == {
    "signature_name": "translate_bytes",
    "instances": [{"b64": base64.b64encode(encoded).decode("ascii")}],
  }
  out = np.asarray(Image.open("photo_G_AB.png"))
  assert out.shape == (37, 23, 3) and out.dtype == np.uint8
  v = tf.io.decode_jpeg(encoded, channels=3).numpy() / 255.0  # TF's decoder, as served
  assert max_diff(out, expected_png_pixels(model, v, ((1, 2), (0, 1)))) <= 1


def test_docs_curl_request_and_response(served):
  model, loaded = served
  (translate_block, default_block) = [b for b in docs_blocks("sh") if "-d @request.json" in b]
  pixels = random_pixels(16, 16, seed=12)
  encoded = png(pixels)
  # The curl body: the docs' printf format with `base64 -w0 photo.jpg` in place of %s.
  (template,) = re.findall(r"printf '(.*?)'", translate_block)
  body = template.replace("%s", base64.b64encode(encoded).decode("ascii")).encode()
  status, reply = tf_serving_predict(loaded, body)
  assert status == 200 and list(reply) == ["predictions"] and len(reply["predictions"]) == 1
  # The docs' one-liner reads reply["predictions"][0]["b64"].
  out = np.asarray(Image.open(io.BytesIO(base64.b64decode(reply["predictions"][0]["b64"]))))
  assert max_diff(out, expected_png_pixels(model, pixels / 255.0, ((0, 0), (0, 0)))) <= 1
  # serving_default: the docs' python3 -c prints the request body (one 8 x 8 mid-grey image).
  (program,) = re.findall(r"python3 -c '(.*?)'", default_block)
  printed = io.StringIO()
  exec(program, {"print": lambda text: printed.write(text)})
  status, reply = tf_serving_predict(loaded, printed.getvalue().encode())
  predictions = np.asarray(reply["predictions"], np.float32)
  assert status == 200 and predictions.shape == (1, 8, 8, 3)
  expected = model(np.zeros((1, 8, 8, 3), np.float32), training=False).numpy()
  assert np.abs(predictions - expected).max() <= 1e-5


def test_rest_errors_are_answers_and_the_server_keeps_serving(served, tf_serving):
  _, loaded = served
  good = {"b64": base64.b64encode(png(random_pixels(8, 8, seed=13))).decode("ascii")}
  bad = {"b64": base64.b64encode(b"hello").decode("ascii")}
  request = {"signature_name": "translate_bytes", "instances": [good, bad]}
  status, reply = tf_serving_predict(loaded, json.dumps(request).encode())
  assert status == 400
  assert "[translate_bytes: image_bytes instance] [1] [is not an encoded JPEG" in reply["error"]
  assert "[hello]" in reply["error"]  # the instance's first bytes
  status, reply = tf_serving_predict(loaded, json.dumps({**request, "instances": []}).encode())
  assert (status, reply) == (400, {"error": "No values in 'instances' array"})
  # The columnar format reaches the graph with an empty batch: an empty answer.
  columnar = {"signature_name": "translate_bytes", "inputs": {"image_bytes": []}}
  assert tf_serving_predict(loaded, json.dumps(columnar).encode()) == (200, {"outputs": []})
  status, reply = tf_serving_predict(loaded, json.dumps({**request, "instances": [good]}).encode())
  assert status == 200 and len(reply["predictions"]) == 1
  # The docs' client sees a 400 as urllib.error.HTTPError with the JSON error body.
  with pytest.raises(urllib.error.HTTPError) as error:
    urllib.request.urlopen(
      urllib.request.Request(
        URL, json.dumps(request).encode(), {"Content-Type": "application/json"}
      )
    )
  assert error.value.code == 400 and "is not an encoded JPEG" in json.load(error.value)["error"]
