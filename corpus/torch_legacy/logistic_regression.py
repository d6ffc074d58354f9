"""Binary logistic regression: F.sigmoid, BCELoss, accuracy via .sum().data[0]."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(1)
X = torch.randn(64, 2)
y = ((X[:, 0] + X[:, 1]) > 0).float().unsqueeze(1)


class LogReg(nn.Module):
    def __init__(self):
        super(LogReg, self).__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return F.sigmoid(self.linear(x))


model = LogReg()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for step in range(50):
    data, target = Variable(X), Variable(y)
    optimizer.zero_grad()
    prob = model(data)
    loss = criterion(prob, target)
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        correct = ((prob > 0.5).float() == target).float().sum().data[0]
        print("step %d loss %.4f correct %d" % (step, loss.data[0], correct))
