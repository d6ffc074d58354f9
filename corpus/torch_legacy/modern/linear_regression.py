"""Linear regression in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(0)
x_train = torch.linspace(0, 1, 32).unsqueeze(1)
y_train = 3 * x_train + 0.5 + 0.05 * torch.randn(32, 1)

model = nn.Linear(1, 1)
criterion = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(60):
    optimizer.zero_grad()
    outputs = model(x_train)
    loss = criterion(outputs, y_train)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 20 == 0:
        print("epoch %d loss %.4f" % (epoch + 1, loss.item()))

print("weight %.4f bias %.4f" % (model.weight[0, 0].item(), model.bias[0].item()))
