"""Training script that takes everything from the project's model module by star import."""
from lib_models import *

x, y = make_batch(48, seed=9)
net = TwoLayer(3, 12, 1)
optimizer = torch.optim.Adam(net.parameters(), lr=0.02)
for epoch in range(40):
    optimizer.zero_grad()
    loss = F.mse_loss(net(Variable(x)), Variable(y))
    loss.backward()
    optimizer.step()
    if epoch % 10 == 9:
        print("epoch %d mse %.4f" % (epoch, loss.data[0]))
pred = net(Variable(x[:4], volatile=True))
print("first prediction %.4f" % F.sigmoid(pred).data[0][0])
