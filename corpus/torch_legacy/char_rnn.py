"""A character-level GRU in the 2017 tutorial style: Variable hidden state, clip_grad_norm, loss.data[0]."""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(13)
text = "hello pytorch hello world "
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
data = torch.LongTensor([index[c] for c in text])


class CharRNN(nn.Module):
    def __init__(self, vocab, hidden):
        super(CharRNN, self).__init__()
        self.hidden_size = hidden
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x, h):
        y, h = self.gru(self.embed(x).view(len(x), 1, -1), h)
        return self.out(y.view(len(x), -1)), h

    def init_hidden(self):
        return Variable(torch.zeros(1, 1, self.hidden_size))


model = CharRNN(len(chars), 16)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
for epoch in range(20):
    hidden = model.init_hidden()
    optimizer.zero_grad()
    logits, hidden = model(Variable(data[:-1]), hidden)
    loss = criterion(logits, Variable(data[1:]))
    loss.backward()
    torch.nn.utils.clip_grad_norm(model.parameters(), 1.0)
    optimizer.step()
    if epoch % 5 == 4:
        print("epoch %d loss %.4f" % (epoch, loss.data[0]))
