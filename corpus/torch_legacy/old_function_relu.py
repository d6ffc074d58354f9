"""A custom ReLU as an old-style autograd Function (instance forward/backward)."""
import torch
from torch.autograd import Function, Variable


class MyReLU(Function):
    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


torch.manual_seed(4)
x = Variable(torch.randn(8, 3))
y = Variable(torch.randn(8, 2))
w1 = Variable(torch.randn(3, 5), requires_grad=True)
w2 = Variable(torch.randn(5, 2), requires_grad=True)
for t in range(40):
    y_pred = MyReLU()(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 0:
        print(t, "%.4f" % loss.data[0])
    loss.backward()
    w1.data -= 1e-3 * w1.grad.data
    w2.data -= 1e-3 * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()
