"""Weight initialisation with the pre-0.4 nn.init names, applied via model.apply."""
import torch
import torch.nn as nn
from torch.nn import init
from torch.autograd import Variable


def weights_init(m):
    if isinstance(m, nn.Linear):
        init.xavier_uniform(m.weight)
        init.constant(m.bias, 0.1)
    elif isinstance(m, nn.Conv1d):
        init.kaiming_normal(m.weight)
        init.normal(m.bias, std=0.01)


torch.manual_seed(8)
net = nn.Sequential(nn.Conv1d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 1))
net.apply(weights_init)
x = Variable(torch.randn(10, 1, 8))
y = Variable(torch.randn(10, 1))
loss_fn = nn.SmoothL1Loss()
loss = loss_fn(net(x), y)
print("initial loss %.5f" % loss.data[0])
print("bias %.3f" % net[3].bias.data[0])
