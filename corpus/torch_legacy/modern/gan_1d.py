"""A 1-D GAN in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(14)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, z):
        return self.fc(z)


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x))))


netG, netD = G(), D()
criterion = nn.BCELoss()
optD = torch.optim.Adam(netD.parameters(), lr=0.01)
optG = torch.optim.Adam(netG.parameters(), lr=0.01)
real_label = torch.ones(16, 1)
fake_label = torch.zeros(16, 1)
for it in range(30):
    real = torch.randn(16, 1) * 0.5 + 2.0
    noise = torch.randn(16, 2)
    netD.zero_grad()
    fake = netG(noise)
    errD = criterion(netD(real), real_label) + criterion(netD(fake.detach()), fake_label)
    errD.backward()
    optD.step()
    netG.zero_grad()
    errG = criterion(netD(fake), real_label)
    errG.backward()
    optG.step()
    if it % 10 == 9:
        print("[%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f" % (it, errD.item(), errG.item(), netD(real).mean().item()))
