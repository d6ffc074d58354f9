"""A small autoencoder in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(15)
data = torch.rand(32, 6)


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(6, 3)
        self.dec = nn.Linear(3, 6)

    def forward(self, x):
        return torch.sigmoid(self.dec(torch.tanh(self.enc(x))))


ae = AE()
distance = nn.MSELoss()
opt = torch.optim.Adam(ae.parameters(), lr=0.05)
for epoch in range(25):
    recon = ae(data)
    mse = distance(recon, data)
    opt.zero_grad()
    mse.backward()
    opt.step()
    if epoch % 8 == 0:
        print("epoch %d mse %.5f" % (epoch, mse.item()))
