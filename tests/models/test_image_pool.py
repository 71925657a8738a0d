import numpy as np
import tensorflow as tf

from tfgan_repro.models.image_pool import ImagePool


def _image(value):
  return tf.fill([1, 2, 2, 1], float(value))


def test_pool_fills_then_swaps_with_probability_half():
  pool = ImagePool(3, (2, 2, 1))
  for i in range(3):  # filling: the new image comes back and is stored
    out = pool(_image(i), tf.constant([0, i]))
    np.testing.assert_array_equal(out, _image(i))
  assert int(pool.count.numpy()) == 3
  np.testing.assert_array_equal(pool.images.numpy()[:, 0, 0, 0], [0, 1, 2])

  returned_old, total = 0, 200
  for i in range(total):
    value = 100 + i
    before = set(pool.images.numpy()[:, 0, 0, 0].tolist())
    out = float(pool(_image(value), tf.constant([1, i]))[0, 0, 0, 0])
    after = set(pool.images.numpy()[:, 0, 0, 0].tolist())
    if out != value:  # a stored image came back and the new one took its place
      returned_old += 1
      assert out in before and value in after and out not in after
    else:
      assert after == before
  assert 0.4 < returned_old / total < 0.6  # official: p > 0.5


def test_pool_handles_a_batch_and_zero_size_is_identity():
  pool = ImagePool(2, (2, 2, 1))
  batch = tf.concat([_image(1), _image(2), _image(3)], axis=0)
  out = pool(batch, tf.constant([0, 0]))
  np.testing.assert_array_equal(out.numpy()[:2], batch.numpy()[:2])
  assert int(pool.count.numpy()) == 2
  np.testing.assert_array_equal(ImagePool(0, (2, 2, 1))(batch, tf.constant([0, 0])), batch)
