"""Matrix products and linear algebra."""
import numpy as np
import torch

rng = np.random.default_rng(25)
m = rng.standard_normal((4, 4))
spd = torch.from_numpy(m @ m.T + 4.0 * np.eye(4))
a = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
b = torch.from_numpy(rng.standard_normal((4, 2)).astype(np.float32))

dlmigrate_observe("matmul", torch.matmul(a, b))
dlmigrate_observe("det", torch.linalg.det(spd))
dlmigrate_observe("inv", torch.linalg.inv(spd))
dlmigrate_observe("cholesky", torch.linalg.cholesky(spd))
dlmigrate_observe("clamp", torch.clamp(a, -0.5, 0.5))
dlmigrate_observe("where", torch.where(a > 0, a, torch.zeros_like(a)))
