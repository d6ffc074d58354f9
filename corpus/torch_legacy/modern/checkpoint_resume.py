"""Saving and resuming: a state_dict checkpoint and a whole pickled model from a trusted file."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(11)
model = nn.Linear(3, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(6, 3), torch.randn(6, 2)
criterion = nn.MSELoss()
for _ in range(3):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()

folder = tempfile.mkdtemp()
weights_path = os.path.join(folder, "weights.pth")
model_path = os.path.join(folder, "model.pth")
torch.save(model.state_dict(), weights_path)
torch.save(model, model_path)

restored = nn.Linear(3, 2)
restored.load_state_dict(torch.load(weights_path, weights_only=True))
whole = torch.load(model_path, weights_only=False)
print("restored loss %.5f" % criterion(restored(x), y).item())
print("whole model loss %.5f" % criterion(whole(x), y).item())
