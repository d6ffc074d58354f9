"""Cosine similarity by hand in current PyTorch."""
import torch

torch.manual_seed(20)
a = torch.randn(6)
b = torch.randn(6)
dot = torch.dot(a, b)
cos = dot.item() / (a.norm().item() * b.norm().item())
print("dot %.5f cos %.5f" % (dot.item(), cos))
print("sum of squares %.5f" % (a * a).sum().item())
