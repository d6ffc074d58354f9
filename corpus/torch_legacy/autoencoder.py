"""A small autoencoder: F.tanh, MSELoss stored in `mse`, .data[0]."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(15)
data = torch.rand(32, 6)


class AE(nn.Module):
    def __init__(self):
        super(AE, self).__init__()
        self.enc = nn.Linear(6, 3)
        self.dec = nn.Linear(3, 6)

    def forward(self, x):
        return F.sigmoid(self.dec(F.tanh(self.enc(x))))


ae = AE()
distance = nn.MSELoss()
opt = torch.optim.Adam(ae.parameters(), lr=0.05)
for epoch in range(25):
    x = Variable(data)
    recon = ae(x)
    mse = distance(recon, x)
    opt.zero_grad()
    mse.backward()
    opt.step()
    if epoch % 8 == 0:
        print("epoch %d mse %.5f" % (epoch, mse.data[0]))
