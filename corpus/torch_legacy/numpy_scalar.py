"""Reading losses through numpy: .data.numpy()[0] and .data.cpu().numpy()[0]."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(16)
w = Variable(torch.randn(4, 1), requires_grad=True)
x = Variable(torch.randn(20, 4))
y = Variable(torch.randn(20, 1))
history = []
for step in range(12):
    pred = x.mm(w)
    loss = F.smooth_l1_loss(pred, y)
    loss.backward()
    w.data -= 0.1 * w.grad.data
    w.grad.data.zero_()
    history.append(loss.data.numpy()[0])
    if step % 4 == 3:
        print("step %d loss %.5f" % (step, loss.data.cpu().numpy()[0]))
print("best %.5f" % min(history))
print("first weight %.5f" % w.data.numpy()[0][0])
