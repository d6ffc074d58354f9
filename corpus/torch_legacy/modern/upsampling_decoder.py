"""A tiny decoder built from nn.Upsample."""
import torch
import torch.nn as nn

torch.manual_seed(7)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.up2 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)

    def forward(self, x):
        return self.up2(self.conv(self.up1(x)))


net = Decoder()
code = torch.randn(2, 2, 3, 3)
target = torch.randn(2, 2, 12, 12)
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
for step in range(5):
    optimizer.zero_grad()
    out = net(code)
    loss = nn.MSELoss()(out, target)
    loss.backward()
    optimizer.step()
    print("step %d loss %.5f" % (step, loss.item()))
print("output", tuple(out.size()), "%.5f" % out.detach()[0].sum())
