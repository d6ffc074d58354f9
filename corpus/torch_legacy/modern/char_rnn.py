"""A character-level GRU in current PyTorch."""
import torch
import torch.nn as nn

torch.manual_seed(13)
text = "hello pytorch hello world "
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
data = torch.tensor([index[c] for c in text], dtype=torch.long)


class CharRNN(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.hidden_size = hidden
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x, h):
        y, h = self.gru(self.embed(x).view(len(x), 1, -1), h)
        return self.out(y.view(len(x), -1)), h

    def init_hidden(self):
        return torch.zeros(1, 1, self.hidden_size)


model = CharRNN(len(chars), 16)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
for epoch in range(20):
    hidden = model.init_hidden()
    optimizer.zero_grad()
    logits, hidden = model(data[:-1], hidden)
    loss = criterion(logits, data[1:])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if epoch % 5 == 4:
        print("epoch %d loss %.4f" % (epoch, loss.item()))
