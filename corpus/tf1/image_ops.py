"""tf.image on a synthetic RGB batch: resize_images, flips, grayscale, standardization, crops."""
import numpy as np
import tensorflow as tf

np.random.seed(27)
tf.set_random_seed(27)

batch = np.random.rand(2, 8, 8, 3).astype(np.float32)
images = tf.placeholder(tf.float32, [None, 8, 8, 3])

resized_bilinear = tf.image.resize_images(images, [4, 4])
resized_nearest = tf.image.resize_images(images, [16, 16], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
resized_nn_op = tf.image.resize_nearest_neighbor(images, [4, 4])
flipped = tf.image.flip_left_right(images[0])
gray = tf.image.rgb_to_grayscale(images)
standardized = tf.image.per_image_standardization(images[0])
cropped = tf.image.central_crop(images[0], 0.5)
padded = tf.image.resize_image_with_crop_or_pad(images[0], 10, 10)
random_crop = tf.random_crop(images[0], [4, 4, 3], seed=1)

with tf.Session() as sess:
    feed = {images: batch}
    for name, tensor in [("bilinear", resized_bilinear), ("nearest", resized_nearest), ("nn op", resized_nn_op),
                         ("flipped", flipped), ("gray", gray), ("standardized", standardized),
                         ("central crop", cropped), ("crop or pad", padded), ("random crop", random_crop)]:
        value = sess.run(tensor, feed)
        print(name, value.shape, round(float(value.sum()), 3))
