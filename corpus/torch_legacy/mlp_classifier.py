"""Three-class MLP; the loss is named `output`, as in many 2017 scripts."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(2)
features = torch.randn(90, 4)
labels = torch.LongTensor([i % 3 for i in range(90)])
features[torch.arange(0, 90).long() % 3 == 1] += 1.5


class MLP(nn.Module):
    def __init__(self):
        super(MLP, self).__init__()
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
    output = criterion(net(Variable(features)), Variable(labels))
    output.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print("epoch %d loss %.5f" % (epoch, output.data[0]))
