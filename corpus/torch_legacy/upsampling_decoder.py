"""A tiny decoder built from nn.UpsamplingNearest2d and nn.UpsamplingBilinear2d."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(7)


class Decoder(nn.Module):
    def __init__(self):
        super(Decoder, self).__init__()
        self.up1 = nn.UpsamplingNearest2d(scale_factor=2)
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.up2 = nn.UpsamplingBilinear2d(scale_factor=2)

    def forward(self, x):
        return self.up2(self.conv(self.up1(x)))


net = Decoder()
code = Variable(torch.randn(2, 2, 3, 3))
target = Variable(torch.randn(2, 2, 12, 12))
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
for step in range(5):
    optimizer.zero_grad()
    out = net(code)
    loss = nn.MSELoss()(out, target)
    loss.backward()
    optimizer.step()
    print("step %d loss %.5f" % (step, loss.data[0]))
print("output", tuple(out.size()), "%.5f" % out.data[0].sum())
