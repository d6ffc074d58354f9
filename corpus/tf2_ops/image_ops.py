"""Image ops on NHWC batches: resize (bilinear, nearest), flips, rotation, grayscale, crop, conv and pooling."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(7)
images = tf.constant(rng.uniform(0.0, 1.0, (2, 8, 6, 3)).astype(np.float32))
kernel = tf.constant(rng.standard_normal((3, 3, 3, 4)).astype(np.float32))

dlmigrate_observe("bilinear", tf.image.resize(images, [12, 9]))
dlmigrate_observe("nearest", tf.image.resize(images, [5, 4], method="nearest"))
dlmigrate_observe("flip_lr", tf.image.flip_left_right(images))
dlmigrate_observe("flip_ud", tf.image.flip_up_down(images))
dlmigrate_observe("rot90", tf.image.rot90(images))
dlmigrate_observe("gray", tf.image.rgb_to_grayscale(images))
dlmigrate_observe("crop", tf.image.crop_to_bounding_box(images, 1, 2, 4, 3))
dlmigrate_observe("bright", tf.image.adjust_brightness(images, 0.1))
dlmigrate_observe("conv_valid", tf.nn.conv2d(images, kernel, 1, "VALID"))
dlmigrate_observe("conv_same", tf.nn.conv2d(images, kernel, 1, "SAME"))
dlmigrate_observe("maxpool", tf.nn.max_pool2d(images, 2, 2, "VALID"))
dlmigrate_observe("avgpool", tf.nn.avg_pool2d(images, 2, 2, "VALID"))
