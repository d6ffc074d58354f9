"""An old-style linear Function with needs_input_grad, used inside a Module."""
import torch
import torch.nn as nn
from torch.autograd import Variable


class LinearFunction(torch.autograd.Function):
    def forward(self, input, weight, bias):
        self.save_for_backward(input, weight, bias)
        return input.mm(weight.t()) + bias.unsqueeze(0).expand(input.size(0), weight.size(0))

    def backward(self, grad_output):
        input, weight, bias = self.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if self.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if self.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MyLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super(MyLinear, self).__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * 0.1)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return LinearFunction()(x, self.weight, self.bias)


torch.manual_seed(5)
layer = MyLinear(4, 2)
data = Variable(torch.randn(16, 4))
goal = Variable(torch.randn(16, 2))
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
for i in range(20):
    opt.zero_grad()
    loss = ((layer(data) - goal) ** 2).mean()
    loss.backward()
    opt.step()
print("final loss %.5f" % loss.data[0])
print("bias %.5f %.5f" % (layer.bias.data[0], layer.bias.data[1]))
