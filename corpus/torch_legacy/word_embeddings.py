"""An N-gram language model as in the 2017 word-embeddings tutorial: total_loss accumulates loss.data."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

torch.manual_seed(19)
sentence = "when forty winters shall besiege thy brow and dig deep trenches".split()
trigrams = [([sentence[i], sentence[i + 1]], sentence[i + 2]) for i in range(len(sentence) - 2)]
vocab = sorted(set(sentence))
word_to_ix = {w: i for i, w in enumerate(vocab)}


class NGram(nn.Module):
    def __init__(self, vocab_size, dim, context):
        super(NGram, self).__init__()
        self.embeddings = nn.Embedding(vocab_size, dim)
        self.linear = nn.Linear(context * dim, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).view((1, -1))
        return F.log_softmax(self.linear(embeds))


model = NGram(len(vocab), 5, 2)
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.05)
for epoch in range(4):
    total_loss = 0
    for context, target in trigrams:
        context_var = Variable(torch.LongTensor([word_to_ix[w] for w in context]))
        model.zero_grad()
        log_probs = model(context_var)
        loss = loss_function(log_probs, Variable(torch.LongTensor([word_to_ix[target]])))
        loss.backward()
        optimizer.step()
        total_loss += loss.data[0]
    print("epoch %d total loss %.4f" % (epoch, total_loss))
