"""Image ops with TF conventions: HSV in [0, 1), hue/saturation adjustment, normalised crop boxes, SSIM with a VALID
Gaussian window, patches in (row, column, channel) order, Sobel with REFLECT padding, letterboxing."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(5)
images = tf.constant(rng.random((2, 16, 20, 3)).astype(np.float32))
other = tf.constant(rng.random((2, 16, 20, 3)).astype(np.float32))
boxes = tf.constant(rng.uniform(-0.1, 1.1, (4, 4)).astype(np.float32))
box_indices = tf.constant(np.array([0, 1, 1, 0], dtype=np.int32))

hsv = tf.image.rgb_to_hsv(images)
dlmigrate_observe("hsv", hsv)
dlmigrate_observe("round_trip", tf.image.hsv_to_rgb(hsv))
dlmigrate_observe("hue", tf.image.adjust_hue(images, 0.3))
dlmigrate_observe("saturation", tf.image.adjust_saturation(images, 1.7))
dlmigrate_observe("crops", tf.image.crop_and_resize(images, boxes, box_indices, [7, 5]))
dlmigrate_observe("ssim", tf.image.ssim(images, other, 1.0))
dlmigrate_observe("patches", tf.image.extract_patches(images, [1, 4, 4, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME"))
dlmigrate_observe("sobel", tf.image.sobel_edges(images))
dlmigrate_observe("center", tf.image.central_crop(images, 0.6))
dlmigrate_observe("crop_or_pad", tf.image.resize_with_crop_or_pad(images, 12, 25))
dlmigrate_observe("letterbox", tf.image.resize_with_pad(images, 24, 24))
