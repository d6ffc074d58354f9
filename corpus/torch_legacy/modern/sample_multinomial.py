"""Sampling class indices with torch.multinomial and an explicit num_samples."""
import torch
import torch.nn.functional as F

torch.manual_seed(12)
logits = torch.randn(4, 5)
probs = F.softmax(logits, dim=1)
counts = torch.zeros(5)
for _ in range(25):
    picks = probs.multinomial(num_samples=1)
    for k in picks.view(-1):
        counts[k] += 1
print("counts", [int(c) for c in counts])
entropy = -(probs * probs.log()).sum()
print("entropy %.4f" % entropy.item())
