"""Binary logistic regression in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(1)
X = torch.randn(64, 2)
y = ((X[:, 0] + X[:, 1]) > 0).float().unsqueeze(1)


class LogReg(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


model = LogReg()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for step in range(50):
    optimizer.zero_grad()
    prob = model(X)
    loss = criterion(prob, y)
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        correct = ((prob > 0.5).float() == y).float().sum().item()
        print("step %d loss %.4f correct %d" % (step, loss.item(), correct))
