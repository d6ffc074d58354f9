"""Activations and losses with torch.nn.functional."""
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(23)
logits = torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32))
labels = torch.from_numpy(rng.integers(0, 4, 6))
targets = torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32))

dlmigrate_observe("softmax", F.softmax(logits, dim=-1))
dlmigrate_observe("log_softmax", F.log_softmax(logits, dim=1))
dlmigrate_observe("relu", F.relu(logits))
dlmigrate_observe("elu", F.elu(logits))
dlmigrate_observe("softplus", F.softplus(logits))
dlmigrate_observe("ce", F.cross_entropy(logits, labels))
dlmigrate_observe("ce_none", F.cross_entropy(logits, labels, reduction="none"))
dlmigrate_observe("mse", F.mse_loss(logits, targets))
