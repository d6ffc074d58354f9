"""Weight initialisation with the in-place nn.init functions."""
import torch
import torch.nn as nn
from torch.nn import init


def weights_init(m):
    if isinstance(m, nn.Linear):
        init.xavier_uniform_(m.weight)
        init.constant_(m.bias, 0.1)
    elif isinstance(m, nn.Conv1d):
        init.kaiming_normal_(m.weight)
        init.normal_(m.bias, std=0.01)


torch.manual_seed(8)
net = nn.Sequential(nn.Conv1d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 1))
net.apply(weights_init)
x = torch.randn(10, 1, 8)
y = torch.randn(10, 1)
loss_fn = nn.SmoothL1Loss()
loss = loss_fn(net(x), y)
print("initial loss %.5f" % loss.item())
print("bias %.3f" % net[3].bias[0].item())
