"""Inference under torch.no_grad() inside a function."""
import torch
import torch.nn as nn

torch.manual_seed(18)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
batches = [torch.randn(5, 3) for _ in range(3)]


def predict(batch):
    with torch.no_grad():
        scores = model(batch)
    return scores.max(1)[1], scores


total = 0
for batch in batches:
    labels, scores = predict(batch)
    total += int(labels.sum())
    print("requires grad:", scores.requires_grad, "score sum %.4f" % scores.sum().item())
print("label total", total)
