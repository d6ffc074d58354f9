"""Reductions with dim/keepdim and the population std."""
import numpy as np
import torch

rng = np.random.default_rng(22)
x = torch.from_numpy(rng.standard_normal((3, 4, 5)).astype(np.float32))

dlmigrate_observe("sum", torch.sum(x, dim=1))
dlmigrate_observe("mean", torch.mean(x))
dlmigrate_observe("mean_keep", torch.mean(x, dim=-1, keepdim=True))
dlmigrate_observe("amax", torch.amax(x, dim=2))
dlmigrate_observe("std", torch.std(x, dim=0, correction=0))
dlmigrate_observe("argmax", torch.argmax(x, dim=1))
dlmigrate_observe("logsumexp", torch.logsumexp(x, dim=2))
