"""NCHW convolutions and pooling with torch.nn.functional (the TF form runs channels-last)."""
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(29)
images = torch.from_numpy(rng.standard_normal((2, 3, 9, 8)).astype(np.float32))
weight = torch.from_numpy(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
bias = torch.from_numpy(rng.standard_normal(4).astype(np.float32))
signal = torch.from_numpy(rng.standard_normal((2, 2, 12)).astype(np.float32))
taps = torch.from_numpy(rng.standard_normal((3, 2, 4)).astype(np.float32))
volume = torch.from_numpy(rng.standard_normal((1, 2, 4, 5, 6)).astype(np.float32))

features = F.conv2d(images, weight, bias, stride=2)
dlmigrate_observe("conv2d", features)
dlmigrate_observe("conv2d_same", F.conv2d(images, weight, padding="same"))
dlmigrate_observe("conv1d", F.conv1d(signal, taps, dilation=2))
dlmigrate_observe("max_pool2d", F.max_pool2d(images, 2))
dlmigrate_observe("avg_pool2d", F.avg_pool2d(features, 2, stride=1))
dlmigrate_observe("max_pool1d", F.max_pool1d(signal, 3, 2))
dlmigrate_observe("avg_pool3d", F.avg_pool3d(volume, 2))
