"""A 1-D GAN in the DCGAN-example style: errD / errG, F.sigmoid, BCELoss, .data[0]."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(14)


class G(nn.Module):
    def __init__(self):
        super(G, self).__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, z):
        return self.fc(z)


class D(nn.Module):
    def __init__(self):
        super(D, self).__init__()
        self.fc1 = nn.Linear(1, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return F.sigmoid(self.fc2(F.tanh(self.fc1(x))))


netG, netD = G(), D()
criterion = nn.BCELoss()
optD = torch.optim.Adam(netD.parameters(), lr=0.01)
optG = torch.optim.Adam(netG.parameters(), lr=0.01)
real_label = Variable(torch.ones(16, 1))
fake_label = Variable(torch.zeros(16, 1))
for it in range(30):
    real = Variable(torch.randn(16, 1) * 0.5 + 2.0)
    noise = Variable(torch.randn(16, 2))
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
        print("[%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f" % (it, errD.data[0], errG.data[0], netD(real).mean().data[0]))
