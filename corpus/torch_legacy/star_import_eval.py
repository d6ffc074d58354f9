"""Evaluation script using star-imported names: nn losses with size_average, .data[0]."""
from lib_models import *

x, y = make_batch(20, seed=10)
net = TwoLayer(3, 6, 1)
crit = nn.MSELoss(size_average=False)
total = crit(net(Variable(x)), Variable(y))
print("sum of squared errors %.4f" % total.data[0])
print("per sample %.4f" % (total.data[0] / 20))
