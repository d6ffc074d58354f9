"""Sampling class indices with probs.multinomial() (num_samples defaulted to 1 before 0.4)."""
import torch
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(12)
logits = Variable(torch.randn(4, 5))
probs = F.softmax(logits, dim=1)
counts = torch.zeros(5)
for _ in range(25):
    picks = probs.multinomial()
    for k in picks.data.view(-1):
        counts[k] += 1
print("counts", [int(c) for c in counts])
entropy = -(probs * probs.log()).sum()
print("entropy %.4f" % entropy.data[0])
