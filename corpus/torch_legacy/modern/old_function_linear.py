"""A linear autograd Function with needs_input_grad, in current style."""
import torch
import torch.nn as nn


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, bias):
        ctx.save_for_backward(input, weight, bias)
        return input.mm(weight.t()) + bias.unsqueeze(0).expand(input.size(0), weight.size(0))

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MyLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * 0.1)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return LinearFunction.apply(x, self.weight, self.bias)


torch.manual_seed(5)
layer = MyLinear(4, 2)
data = torch.randn(16, 4)
goal = torch.randn(16, 2)
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
for i in range(20):
    opt.zero_grad()
    loss = ((layer(data) - goal) ** 2).mean()
    loss.backward()
    opt.step()
print("final loss %.5f" % loss.item())
print("bias %.5f %.5f" % (layer.bias[0].item(), layer.bias[1].item()))
