"""Moving batches to the GPU with non_blocking=True, guarded for CPU-only machines."""
import torch
import torch.nn as nn

torch.manual_seed(6)
use_cuda = torch.cuda.is_available()
model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1))
if use_cuda:
    model = model.cuda()
criterion = nn.L1Loss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01)
inputs = torch.randn(40, 5)
targets = inputs.sum(1, keepdim=True)

for epoch in range(3):
    running = 0.0
    for start in range(0, 40, 10):
        batch, goal = inputs[start:start + 10], targets[start:start + 10]
        if use_cuda:
            batch, goal = batch.cuda(non_blocking=True), goal.cuda(non_blocking=True)
        optimizer.zero_grad()
        loss = criterion(model(batch), goal)
        loss.backward()
        optimizer.step()
        running += loss.item()
    print("epoch %d mean l1 %.4f" % (epoch, running / 4))
