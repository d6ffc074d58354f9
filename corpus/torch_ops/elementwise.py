"""Element-wise torch ops on seeded NumPy inputs."""
import numpy as np
import torch

rng = np.random.default_rng(21)
a = torch.from_numpy(rng.uniform(0.1, 3.0, (4, 5)).astype(np.float32))
b = torch.from_numpy(rng.standard_normal((4, 5)).astype(np.float32))

dlmigrate_observe("log", torch.log(a))
dlmigrate_observe("sqrt", torch.sqrt(a))
dlmigrate_observe("exp", torch.exp(b))
dlmigrate_observe("tanh", torch.tanh(b))
dlmigrate_observe("sigmoid", torch.sigmoid(b))
dlmigrate_observe("abs", torch.abs(b))
dlmigrate_observe("maximum", torch.maximum(a, b))
dlmigrate_observe("add", torch.add(a, b))
dlmigrate_observe("mul", torch.mul(a, b))
dlmigrate_observe("erf", torch.erf(b))
