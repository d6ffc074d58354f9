"""Cosine similarity by hand: torch.dot(...).data[0] and norms read with .data[0]."""
import torch
from torch.autograd import Variable

torch.manual_seed(20)
a = Variable(torch.randn(6))
b = Variable(torch.randn(6))
dot = torch.dot(a, b)
cos = dot.data[0] / (a.norm().data[0] * b.norm().data[0])
print("dot %.5f cos %.5f" % (dot.data[0], cos))
print("sum of squares %.5f" % (a * a).sum().data[0])
