"""pix2pixHD (Wang et al. 2018): coarse-to-fine G, multi-scale D, feature matching, VGG loss,
instance boundary maps and instance-wise features.

Code names -> paper -> official NVIDIA/pix2pixHD (pix2pixHD_model.py, train.py):
  a: one-hot label map s + its instance ids / 2^16 (last)   label, inst (--label_nc, --instance)
  edges: instance boundary map (Sec. 3.3)                    get_edges(inst)
  E: instance-wise feature encoder (Sec. 3.4)               netE (--instance_feat)
  G_core: G1 (stage "global") or {G1, G2} (Sec. 3.2)         netG (--netG global | local)
  D: D_1..D_k with intermediate features D_k^(i)            netD (--num_D, getIntermFeat)
  G_GAN: L_GAN for G (LSGAN, summed over scales)            loss_G_GAN (--no_lsgan off)
  G_GAN_Feat: lambda L_FM (Eq. 4), G_VGG: lambda L_VGG      loss_G_GAN_Feat, loss_G_VGG (--lambda_feat)
  D_real, D_fake: D's LSGAN terms; D minimises their mean   loss_D_real, loss_D_fake; (sum) * 0.5
  G: the shipped generator a -> image: edges, and at test   inference(): sample_features from
     time each class's feature from k-means cluster centres  the clusters of encode_features.py
Update order (official train.py): one forward, then G's step, then D's step, both from the
losses of that forward (D's step does not see the updated G).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from tfgan_repro import data, losses
from tfgan_repro.layers import ChannelSlice, InstanceEdges, LabelOneHot
from tfgan_repro.models.contract import Contract, Optimizer, Phase, Player, Sampler, StepContext
from tfgan_repro.models.feature_clusters import N_CLUSTERS, cluster_centres, instance_features
from tfgan_repro.models.gan_model import GANModel
from tfgan_repro.nets.local_enhancer import global_layers, load_global_weights

G_LOSS_NAMES = ("G_GAN", "G_GAN_Feat", "G_VGG", "G_total")
D_LOSS_NAMES = ("D_real", "D_fake")
LOSS_NAMES = G_LOSS_NAMES + D_LOSS_NAMES
# official --lr 0.0002 --beta1 0.5 (Adam betas (beta1, 0.999)), for G and D alike
OPTIMIZER = Optimizer(lr=2e-4, beta_1=0.5, beta_2=0.999)
STAGES = ("global", "local", "joint")  # paper Sec. 3.2: train G1, then G2 with G1 fixed, then both


def _same_shapes(a: keras.Model, b: keras.Model) -> bool:
  return [w.shape for w in a.weights] == [w.shape for w in b.weights]


class _FeatureClusters(keras.callbacks.Callback):
  """Computes the feature clusters of `gan` at the end of the run's last fit epoch."""

  def __init__(self, config, gan: Pix2PixHD):
    super().__init__()
    self.config = config
    self.gan = _Untracked(gan)

  def on_epoch_end(self, epoch, logs=None):
    if epoch + 1 == self.params.get("epochs"):
      pairs = data.paired_dataset(
        self.config.data, "train", 1, training=False, seed=self.config.seed
      )
      counts = self.gan.value.compute_feature_clusters(pairs)
      logging.info("pix2pixHD feature clusters per class: %s", counts.tolist())


class _Untracked:
  """Holds a net the checkpoint must not save (the frozen VGG19)."""

  def __init__(self, value):
    self.value = value


class Pix2PixHD(GANModel):
  """pix2pixHD on inputs a = [one-hot labels (num_classes), instance ids (1)] and photos b."""

  task = "translation"

  def __init__(
    self,
    *,
    G: keras.Model,
    D: keras.Model,
    E: keras.Model | None,
    num_classes: int,
    n_layers_d: int = 3,  # official --n_layers_D 3
    stage: str = "global",
    lambda_feat: float = 10.0,  # official --lambda_feat 10 (paper Eq. 6: lambda = 10)
    feat_loss: bool = True,  # official: not --no_ganFeat_loss
    vgg: keras.Model | None = None,  # None: no VGG loss (official --no_vgg_loss)
    n_clusters: int = N_CLUSTERS,
    feature_cluster: int = 0,  # the cluster (0 = the largest) the exported G uses per class
    input_palette: np.ndarray | None = None,
    optimizer: Optimizer = OPTIMIZER,  # of G (and E) and D (official: one setting for both)
    global_batch_size: int = 1,  # official --batchSize 1
    seed: int = 0,
    **kwargs,
  ):
    super().__init__(global_batch_size=global_batch_size, seed=seed, **kwargs)
    self.optimizer_settings = optimizer
    if stage not in STAGES:
      raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    if num_classes < 1:
      raise ValueError(f"num_classes must be >= 1, got {num_classes!r}")
    self.G_core, self.D, self.E = G, D, E
    self.num_classes, self.n_layers_d, self.stage = num_classes, n_layers_d, stage
    self.lambda_feat, self.feat_loss = lambda_feat, feat_loss
    self._vgg = _Untracked(vgg)
    self.n_clusters, self.feature_cluster = n_clusters, feature_cluster
    self.input_palette = None if input_palette is None else np.asarray(input_palette, np.float32)
    self.edges = InstanceEdges(name="edges")
    feat_num = 0 if E is None else E.outputs[0].shape[-1]
    # Cluster centres of E's features per class (official features_clustered_010.npy).
    self.feature_centres = self.add_weight(
      shape=(num_classes, n_clusters, max(feat_num, 1)),
      initializer="zeros",
      trainable=False,
      name="feature_centres",
    )
    self.G = self._inference_generator(feat_num)
    if stage == "local":  # official --niter_fix_global: only the local enhancer's layers train
      for layer in global_layers(G):
        layer.trainable = False

  def _inference_generator(self, feat_num: int) -> keras.Model:
    """a -> image: labels + edges (+ each class's cluster-centre feature) into G_core."""
    a = keras.Input((None, None, self.num_classes + 1), name="labels_and_instances")
    labels = ChannelSlice(0, self.num_classes, name="labels")(a)
    ids = ChannelSlice(self.num_classes, dtype="float32", name="instance_ids")(a)  # exact ids
    parts = [labels, InstanceEdges(name="instance_edges")(ids)]
    if feat_num:
      # Each pixel gets its class's chosen centre: one-hot @ centres[:, cluster] (a frozen Dense).
      self.class_features = keras.layers.Dense(
        feat_num, use_bias=False, trainable=False, name="class_features"
      )
      parts.append(self.class_features(labels))
    x = keras.layers.Concatenate(name="generator_input")(parts)
    return keras.Model(a, self.G_core(x), name="G")

  @property
  def export_generators(self) -> dict[str, keras.Model]:
    """G served on the maps a user has (official test inputs: label and instance images):
    "label_map" [N, H, W, 1] class ids and "instance_map" [N, H, W, 1] Cityscapes instance ids
    (class * 1000 + k), both float32 (ids are exact below 2^24)."""
    label_map = keras.Input((None, None, 1), name="label_map")
    instance_map = keras.Input((None, None, 1), name="instance_map")
    labels = LabelOneHot(self.num_classes, name="one_hot")(label_map)
    ids = keras.layers.Rescaling(1.0 / data.INSTANCE_ID_SCALE, name="instance_scale")(instance_map)
    a = keras.layers.Concatenate(name="labels_and_instances")([labels, ids])
    return {"G": keras.Model([label_map, instance_map], self.G(a), name="G_serving")}

  def serving_inputs(self, a: np.ndarray) -> dict[str, np.ndarray]:
    """Inputs a [N, H, W, classes + 1] (one-hot labels, scaled instance ids) as the served maps:
    class ids and raw instance ids."""
    return {
      "label_map": np.argmax(a[..., : self.num_classes], -1)[..., None].astype(np.float32),
      "instance_map": np.rint(a[..., self.num_classes :] * data.INSTANCE_ID_SCALE),
    }

  @property
  def vgg(self) -> keras.Model | None:
    return self._vgg.value

  @property
  def generators(self) -> dict[str, keras.Model]:
    return {"G": self.G}

  @property
  def networks(self) -> dict[str, keras.Model]:
    """G_core, D and, with instance features on, the feature encoder E."""
    nets = {"generator": self.G_core, "discriminator": self.D}
    if self.E is not None:
      nets["encoder"] = self.E
    return nets

  def contract(self) -> Contract:
    """One forward, then G's step and D's step on its losses (official train.py). G's optimizer
    holds G_core's trainable variables (G2's only in stage "local") and E's; D's, D's."""
    g_nets = (self.G_core,) if self.E is None else (self.G_core, self.E)
    return Contract(
      players=(
        Player("G", g_nets, self.optimizer_settings),
        Player("D", (self.D,), self.optimizer_settings),
      ),
      phases=(
        Phase("G", ("G",), lambda ctx: ctx.shared["G"], logs=G_LOSS_NAMES),
        Phase("D", ("D",), lambda ctx: ctx.shared["D"], logs=D_LOSS_NAMES),
      ),
      sampler=Sampler("paired"),
      forward=self._forward,
    )

  def call(self, a: tf.Tensor, training: bool = False) -> tf.Tensor:
    """Inference path: labels + instance ids -> image."""
    return self.G(a, training=training)

  def _split(self, a: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(input_label = one-hot labels + boundary map, instance ids)."""
    ids = a[..., self.num_classes :]
    return tf.concat([a[..., : self.num_classes], self.edges(ids)], axis=-1), ids

  def _generator_losses(self, pred_fake, pred_real, fake_b, real_b) -> dict[str, tf.Tensor]:
    g_gan = losses.generator_loss("lsgan", [p[-1] for p in pred_fake])
    zero = tf.zeros_like(g_gan)
    g_feat = (
      self.lambda_feat * losses.feature_matching_loss(pred_fake, pred_real, self.n_layers_d)
      if self.feat_loss
      else zero
    )
    g_vgg = self.lambda_feat * losses.vgg_loss(self.vgg, fake_b, real_b) if self.vgg else zero
    return {"G_GAN": g_gan, "G_GAN_Feat": g_feat, "G_VGG": g_vgg, "G_total": g_gan + g_feat + g_vgg}

  def _forward(self, ctx: StepContext) -> None:
    """Both players' per-example losses of one forward (official pix2pixHDModel.forward), under
    both tapes: ctx.shared["G"] and ctx.shared["D"] = (total, logs)."""
    a, real_b = ctx.batch
    input_label, ids = self._split(a)
    g_input = input_label
    if self.E is not None:  # official forward(): feat_map = netE(real_image, inst)
      g_input = tf.concat([input_label, self.E(tf.concat([real_b, ids], -1), training=True)], -1)
    fake_b = self.G_core(g_input, training=True)
    # One D pass on the fake serves both players (no image pool: official --pool_size 0).
    pred_fake = self.D(tf.concat([input_label, fake_b], -1), training=True)
    pred_real = self.D(tf.concat([input_label, real_b], -1), training=True)
    g = self._generator_losses(pred_fake, pred_real, fake_b, real_b)
    # D's gradient does not reach G (official: fake_image.detach()): D's phase differentiates
    # only D's variables, so the same predictions serve.
    d_real, d_fake = losses.discriminator_terms(
      "lsgan", [p[-1] for p in pred_real], [p[-1] for p in pred_fake]
    )
    ctx.shared["G"] = (g["G_total"], g)
    # official: (D_fake + D_real) * 0.5
    ctx.shared["D"] = (0.5 * (d_real + d_fake), {"D_real": d_real, "D_fake": d_fake})

  # ---- stages (paper Sec. 3.2; official --load_pretrain, --niter_fix_global) -------------
  def warm_start_from(self, previous: GANModel) -> None:
    """A fresh run starts from the previous stage's model (config.init_from, restored by the
    trainer): its G1 (global -> local), or its whole G (local -> joint); and its E and D where
    they match."""
    if not isinstance(previous, Pix2PixHD):
      raise ValueError(f"init_from must be a pix2pixhd run, got a {type(previous).__name__}")
    if previous.stage == "global" and self.stage != "global":
      copied = load_global_weights(self.G_core, previous.G_core)
    else:
      self.G_core.set_weights(previous.G_core.get_weights())
      copied = len(self.G_core.layers)
    for mine, theirs in ((self.E, previous.E), (self.D, previous.D)):
      if mine is not None and theirs is not None and _same_shapes(mine, theirs):
        mine.set_weights(theirs.get_weights())
    logging.info(
      "pix2pixHD %s stage: initialised from the %s stage (%d G layers)",
      self.stage,
      previous.stage,
      copied,
    )

  def training_callbacks(self, config) -> list:
    """With features: k-means of E's features at the end of the last epoch (before its
    checkpoint), over the training split (official encode_features.py after training)."""
    return [] if self.E is None else [_FeatureClusters(config, self)]

  # ---- test-time features (official encode_features.py + sample_features) -----------------
  def compute_feature_clusters(self, dataset: tf.data.Dataset) -> np.ndarray:
    """E's per-instance features over `dataset` ((a, b) batches, eval transform), k-means per
    class; stores the centres and loads cluster `feature_cluster` of each class into G.
    Returns the number of centres per class [num_classes]."""
    if self.E is None:
      raise ValueError("compute_feature_clusters needs the instance encoder (features enabled)")
    rows: dict[int, list[np.ndarray]] = {}
    for a, b in dataset:
      ids = a[..., self.num_classes :]
      feats = self.E(tf.concat([b, ids], -1), training=False).numpy()
      raw_ids = np.rint(ids.numpy()[..., 0] * data.INSTANCE_ID_SCALE)  # [N, H, W]
      for f, i in zip(feats, raw_ids, strict=True):
        for label, r in instance_features(f, i).items():
          rows.setdefault(label, []).append(r)
    stacked = {label: np.concatenate(r) for label, r in rows.items()}
    feat_num = self.feature_centres.shape[-1]
    centres, counts = cluster_centres(stacked, self.num_classes, feat_num, self.n_clusters)
    self.feature_centres.assign(centres)
    self.select_cluster(self.feature_cluster, counts)
    return counts

  def select_cluster(self, index: int, counts: np.ndarray | None = None) -> None:
    """G's per-class feature := centre `index` of that class (its last one where it has fewer;
    zeros for a class without instances)."""
    if self.E is None:
      raise ValueError("select_cluster needs instance features (config.features.instance_feat)")
    if index < 0:
      raise ValueError(f"index must be >= 0, got {index!r}")
    centres = self.feature_centres.numpy()
    if counts is None:
      counts = np.any(centres != 0, axis=-1).sum(-1)
    chosen = np.minimum(index, np.maximum(counts - 1, 0))
    self.class_features.kernel.assign(centres[np.arange(self.num_classes), chosen])

  # ---- display ----------------------------------------------------------------------------
  def show_input(self, a: tf.Tensor) -> tf.Tensor:
    """[N, H, W, 3] in [-1, 1]: the label map in its palette colours, instance edges in white."""
    labels, ids = a[..., : self.num_classes], a[..., self.num_classes :]
    if self.input_palette is None:
      shown = tf.zeros_like(a[..., :3])
    else:
      shown = tf.gather(self.input_palette, tf.argmax(labels, axis=-1))
    return tf.where(self.edges(ids) > 0, 1.0, shown)

  def display_images(self, a: tf.Tensor, real_b: tf.Tensor) -> dict[str, dict[str, tf.Tensor]]:
    """The official visuals input_label | synthesized_image | real_image."""
    return {
      "label_to_photo": {
        "input_label": self.show_input(a),
        "synthesized_image": self.translate("G", a),
        "real_image": real_b,
      }
    }
