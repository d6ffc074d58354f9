"""Inference with volatile=True inside a function (0.3's no-grad mode)."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(18)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
batches = [torch.randn(5, 3) for _ in range(3)]


def predict(batch):
    inputs = Variable(batch, volatile=True)
    scores = model(inputs)
    return scores.max(1)[1], scores


total = 0
for batch in batches:
    labels, scores = predict(batch)
    total += int(labels.sum())
    print("requires grad:", scores.requires_grad, "score sum %.4f" % scores.sum().data[0])
print("label total", total)
