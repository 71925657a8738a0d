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
    seed = tf.constant([1, i])
    before = pool.images.numpy()[:, 0, 0, 0].copy()
    out = float(pool(_image(value), seed)[0, 0, 0, 0])
    after = pool.images.numpy()[:, 0, 0, 0]
    # The draws of query i (first image of the batch): swap if u0 > 0.5 (official p > 0.5), at
    # slot floor(u1 * pool_size) (official random.randint(0, pool_size - 1)).
    u = tf.random.stateless_uniform([2], tf.random.experimental.stateless_fold_in(seed, 0)).numpy()
    if u[0] > 0.5:  # a stored image came back and the new one took its slot
      returned_old += 1
      slot = min(int(u[1] * 3), 2)
      assert out == before[slot] and out not in after  # it was in the pool and has left it
      want = before.copy()
      want[slot] = value
      np.testing.assert_array_equal(after, want)
    else:
      assert out == value
      np.testing.assert_array_equal(after, before)
    assert len(set(after.tolist())) == 3 and int(pool.count.numpy()) == 3
  assert returned_old == 95  # these seeds; half of 200 in expectation (official: p > 0.5)


def test_pool_handles_a_batch_and_zero_size_is_identity():
  pool = ImagePool(2, (2, 2, 1))
  batch = tf.concat([_image(1), _image(2), _image(3)], axis=0)
  out = pool(batch, tf.constant([0, 0]))
  np.testing.assert_array_equal(out.numpy()[:2], batch.numpy()[:2])
  assert int(pool.count.numpy()) == 2
  np.testing.assert_array_equal(ImagePool(0, (2, 2, 1))(batch, tf.constant([0, 0])), batch)
