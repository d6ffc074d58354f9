"""Per-image reads on a batch (out.data[0] is the first image, not a scalar) next to a loss read."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(17)
conv = nn.Conv2d(3, 2, 3, padding=1)
images = Variable(torch.randn(4, 3, 5, 5))
out = conv(images)
first = out.data[0].numpy()
print("first image shape", first.shape, "mean %.5f" % first.mean())
print("second image max %.5f" % out.data[1].max())
target = Variable(torch.zeros(4, 2, 5, 5))
loss = nn.MSELoss()(out, target)
print("loss %.5f" % loss.data[0])
