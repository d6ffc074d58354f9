"""The classic MNIST example's train/test loops on random data: volatile, size_average, .data[0]."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

torch.manual_seed(3)
train_x = torch.randn(64, 1, 8, 8)
train_y = torch.LongTensor(64).random_(0, 4)
test_x = torch.randn(32, 1, 8, 8)
test_y = torch.LongTensor(32).random_(0, 4)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3)
        self.fc1 = nn.Linear(4 * 3 * 3, 4)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = x.view(-1, 4 * 3 * 3)
        return F.log_softmax(self.fc1(x))


model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)


def train(epoch):
    model.train()
    for i in range(0, 64, 16):
        data, target = Variable(train_x[i:i + 16]), Variable(train_y[i:i + 16])
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
    print("Train Epoch: %d Loss: %.6f" % (epoch, loss.data[0]))


def test():
    model.eval()
    test_loss = 0
    for i in range(0, 32, 8):
        data, target = Variable(test_x[i:i + 8], volatile=True), Variable(test_y[i:i + 8])
        output = model(data)
        test_loss += F.nll_loss(output, target, size_average=False).data[0]
    test_loss /= 32
    print("Test set: Average loss: %.4f" % test_loss)


for epoch in range(1, 4):
    train(epoch)
    test()
