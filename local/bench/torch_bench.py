"""PyTorch eager side of the benchmark: the tiny BERT that `stt-local init-tiny` writes, trained with the sts recipe
exactly as the local runner does it (mean pooling, CosineSimilarityLoss, AdamW without weight decay, linear warmup and
decay, gradient norm clipped to 1, dropout 0.1), timing the same work per step: tokenize, forward, backward, clip,
update. Prints training samples per second.

Usage: python3 torch_bench.py TINY_DIR THREADS EPOCHS BATCH
"""

import json
import math
import random
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": np.float32}


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, eps, dropout):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, intermediate)
        self.ffn_out = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask_bias):
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.reshape(b, t, self.heads, d).transpose(1, 2)

        q = split(self.query(x)) * (1 / math.sqrt(d))
        scores = q @ split(self.key(x)).transpose(2, 3) + mask_bias
        probabilities = self.dropout(scores.softmax(-1))
        context = (probabilities @ split(self.value(x))).transpose(1, 2).reshape(b, t, h)
        attended = self.attention_norm(x + self.dropout(self.attention_out(context)))
        ffn = self.ffn_out(nn.functional.gelu(self.ffn_in(attended)))
        return self.output_norm(attended + self.dropout(ffn))


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.words = nn.Embedding(c["vocab_size"], h)
        self.positions = nn.Embedding(c["max_position_embeddings"], h)
        self.types = nn.Embedding(c["type_vocab_size"], h)
        self.norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.layers = nn.ModuleList(Layer(h, c["num_attention_heads"], c["intermediate_size"], c["layer_norm_eps"],
                                          c["hidden_dropout_prob"]) for _ in range(c["num_hidden_layers"]))

    def load(self, tensors):
        names = {"words.weight": "embeddings.word_embeddings.weight",
                 "positions.weight": "embeddings.position_embeddings.weight",
                 "types.weight": "embeddings.token_type_embeddings.weight",
                 "norm.weight": "embeddings.LayerNorm.weight", "norm.bias": "embeddings.LayerNorm.bias"}
        modules = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                   "attention_out": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
                   "ffn_in": "intermediate.dense", "ffn_out": "output.dense", "output_norm": "output.LayerNorm"}
        for i in range(len(self.layers)):
            for ours, theirs in modules.items():
                for p in ("weight", "bias"):
                    names[f"layers.{i}.{ours}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
        self.load_state_dict({ours: tensors[theirs] for ours, theirs in names.items()})

    def forward(self, ids, mask):
        t = ids.shape[1]
        positions = torch.arange(t).expand_as(ids)
        x = self.words(ids) + self.positions(positions) + self.types(torch.zeros_like(ids))
        x = self.dropout(self.norm(x))
        mask_bias = ((1 - mask) * -1e9)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask_bias)
        m = mask.unsqueeze(-1)
        return (x * m).sum(1) / m.sum(1).clamp(min=1e-9)


def main():
    tiny, threads, epochs, batch_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    config = json.load(open(f"{tiny}/model/config.json"))
    vocab = {w: i for i, w in enumerate(open(f"{tiny}/model/vocab.txt").read().split("\n"))}
    model = Bert(config)
    model.load(read_safetensors(f"{tiny}/model/model.safetensors"))
    model.train()
    rows = [json.loads(line) for line in open(f"{tiny}/data/train.jsonl")]
    rng = random.Random(42)
    batches = []
    for _ in range(epochs):
        rng.shuffle(rows)
        batches += [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]
    steps, warmup = len(batches), math.ceil(len(batches) * 0.1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup)))

    def tokenize(texts):
        ids = [[vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in t.lower().split()] + [vocab["[SEP]"]]
               for t in texts]
        length = max(map(len, ids))
        return (torch.tensor([i + [0] * (length - len(i)) for i in ids]),
                torch.tensor([[1.0] * len(i) + [0.0] * (length - len(i)) for i in ids]))

    samples = 0
    start = time.perf_counter()
    for batch in batches:
        ids, mask = tokenize([r["sentence1"] for r in batch] + [r["sentence2"] for r in batch])
        embeddings = model(ids, mask)
        n = len(batch)
        cosine = nn.functional.cosine_similarity(embeddings[:n], embeddings[n:])
        loss = ((cosine - torch.tensor([r["score"] for r in batch])) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        loss.item()
        samples += n
    seconds = time.perf_counter() - start
    print(json.dumps({"samplesPerSecond": samples / seconds, "steps": steps, "seconds": seconds,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
