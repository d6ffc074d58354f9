"""Tensor creation (int64 literals) and shape ops."""
import numpy as np
import torch

x = torch.from_numpy(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4))

dlmigrate_observe("ints", torch.tensor([1, 2, 3]))
dlmigrate_observe("floats", torch.tensor([[0.5, 1.0], [2.0, 3.0]]))
dlmigrate_observe("zeros", torch.zeros([2, 3]))
dlmigrate_observe("arange", torch.arange(2, 11, 3))
dlmigrate_observe("reshape", torch.reshape(x, [6, 4]))
dlmigrate_observe("cat", torch.cat([x, x], dim=1))
dlmigrate_observe("stack", torch.stack([x, x], dim=0))
dlmigrate_observe("unsqueeze", torch.unsqueeze(x, 0))
dlmigrate_observe("flip", torch.flip(x, dims=[1]))
dlmigrate_observe("roll", torch.roll(x, shifts=1, dims=2))
