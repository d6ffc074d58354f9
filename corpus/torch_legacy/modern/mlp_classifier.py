"""Three-class MLP in current PyTorch."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2)
features = torch.randn(90, 4)
labels = torch.tensor([i % 3 for i in range(90)], dtype=torch.long)
features[torch.arange(0, 90) % 3 == 1] += 1.5


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.fc2(x)


net = MLP()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for epoch in range(30):
    optimizer.zero_grad()
    loss = criterion(net(features), labels)
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print("epoch %d loss %.5f" % (epoch, loss.item()))
