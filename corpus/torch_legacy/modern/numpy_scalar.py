"""Reading losses as Python numbers with .item()."""
import torch
import torch.nn.functional as F

torch.manual_seed(16)
w = torch.randn(4, 1, requires_grad=True)
x = torch.randn(20, 4)
y = torch.randn(20, 1)
history = []
for step in range(12):
    pred = x.mm(w)
    loss = F.smooth_l1_loss(pred, y)
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
    history.append(loss.item())
    if step % 4 == 3:
        print("step %d loss %.5f" % (step, loss.item()))
print("best %.5f" % min(history))
print("first weight %.5f" % w.detach().numpy()[0][0])
