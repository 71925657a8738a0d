"""Reusable Keras layers and PyTorch-exact building blocks."""

from tfgan_repro.layers.attribute_encoding import ATTRIBUTE_ENCODINGS, AttributeEncoding
from tfgan_repro.layers.batch_normalization import BatchNormalization
from tfgan_repro.layers.categorical_conditional_batch_normalization import (
  CategoricalConditionalBatchNormalization,
)
from tfgan_repro.layers.channel_slice import ChannelSlice
from tfgan_repro.layers.concat_condition import ConcatCondition
from tfgan_repro.layers.conditional_batch_normalization import ConditionalBatchNormalization
from tfgan_repro.layers.constant_input import ConstantInput
from tfgan_repro.layers.depth_to_space import DepthToSpace
from tfgan_repro.layers.downsample_conv2d import DownsampleConv2D
from tfgan_repro.layers.equalized_conv2d import EqualizedConv2D
from tfgan_repro.layers.equalized_dense import EqualizedDense
from tfgan_repro.layers.exclude_pad_average_pooling2d import ExcludePadAveragePooling2D
from tfgan_repro.layers.fir_resampling import (
  RESAMPLE_FILTER,
  downsample2d,
  setup_filter,
  upfirdn2d,
  upsample2d,
)
from tfgan_repro.layers.inference_dropout import InferenceDropout
from tfgan_repro.layers.initializers import conv_init, norm_gamma_init
from tfgan_repro.layers.instance_average_pooling import InstanceAveragePooling
from tfgan_repro.layers.instance_edges import InstanceEdges
from tfgan_repro.layers.instance_normalization import InstanceNormalization
from tfgan_repro.layers.label_one_hot import LabelOneHot
from tfgan_repro.layers.maxout import Maxout
from tfgan_repro.layers.mean_only_weight_norm import MeanOnlyWeightNorm
from tfgan_repro.layers.minibatch_stddev import MinibatchStddev
from tfgan_repro.layers.modulated_conv2d import ModulatedConv2D
from tfgan_repro.layers.noise_injection import NOISE_MODES, NoiseInjection
from tfgan_repro.layers.normalization import (
  NORMALIZATIONS,
  bias_for_normalization,
  check_normalization,
  normalization,
)
from tfgan_repro.layers.pixel_normalization import PixelNormalization
from tfgan_repro.layers.projection_embedding import ProjectionEmbedding
from tfgan_repro.layers.pytorch_conv import PADDING_MODES, conv2d, conv_transpose2d
from tfgan_repro.layers.reflection_padding2d import ReflectionPadding2D
from tfgan_repro.layers.self_attention import SelfAttention
from tfgan_repro.layers.spectral_normalization import SpectralNormalization
from tfgan_repro.layers.to_rgb import ToRGB
from tfgan_repro.layers.truncation import Truncation
from tfgan_repro.layers.upsample import UPSAMPLE_MODES, upsample

__all__ = [
  "ATTRIBUTE_ENCODINGS",
  "NOISE_MODES",
  "NORMALIZATIONS",
  "PADDING_MODES",
  "RESAMPLE_FILTER",
  "UPSAMPLE_MODES",
  "AttributeEncoding",
  "BatchNormalization",
  "CategoricalConditionalBatchNormalization",
  "ChannelSlice",
  "ConcatCondition",
  "ConditionalBatchNormalization",
  "ConstantInput",
  "DepthToSpace",
  "DownsampleConv2D",
  "EqualizedConv2D",
  "EqualizedDense",
  "ExcludePadAveragePooling2D",
  "InferenceDropout",
  "InstanceAveragePooling",
  "InstanceEdges",
  "InstanceNormalization",
  "LabelOneHot",
  "Maxout",
  "MeanOnlyWeightNorm",
  "MinibatchStddev",
  "ModulatedConv2D",
  "NoiseInjection",
  "PixelNormalization",
  "ProjectionEmbedding",
  "ReflectionPadding2D",
  "SelfAttention",
  "SpectralNormalization",
  "ToRGB",
  "Truncation",
  "bias_for_normalization",
  "check_normalization",
  "conv2d",
  "conv_init",
  "conv_transpose2d",
  "downsample2d",
  "norm_gamma_init",
  "normalization",
  "setup_filter",
  "upfirdn2d",
  "upsample",
  "upsample2d",
]
