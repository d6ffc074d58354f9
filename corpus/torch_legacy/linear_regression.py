"""Linear regression the PyTorch 0.3 way: Variable, size_average=False, loss.data[0]."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(0)
x_train = torch.linspace(0, 1, 32).unsqueeze(1)
y_train = 3 * x_train + 0.5 + 0.05 * torch.randn(32, 1)

model = nn.Linear(1, 1)
criterion = nn.MSELoss(size_average=False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(60):
    inputs = Variable(x_train)
    targets = Variable(y_train)
    optimizer.zero_grad()
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 20 == 0:
        print("epoch %d loss %.4f" % (epoch + 1, loss.data[0]))

print("weight %.4f bias %.4f" % (model.weight.data[0][0], model.bias.data[0]))
