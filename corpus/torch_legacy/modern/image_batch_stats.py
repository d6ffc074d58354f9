"""Per-image reads on a batch next to a loss read, in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(17)
conv = nn.Conv2d(3, 2, 3, padding=1)
images = torch.randn(4, 3, 5, 5)
out = conv(images)
first = out.detach()[0].numpy()
print("first image shape", first.shape, "mean %.5f" % first.mean())
print("second image max %.5f" % out.detach()[1].max())
target = torch.zeros(4, 2, 5, 5)
loss = nn.MSELoss()(out, target)
print("loss %.5f" % loss.item())
