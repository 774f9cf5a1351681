"""Trains a tiny llama-shaped language model on a text corpus and writes it as a GGUF file llama.cpp can serve.

The model is the llama architecture at toy size (2 layers, RMSNorm, rotary attention, SwiGLU) over a byte-level
SentencePiece vocabulary: <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF> and the space piece U+2581.
llama.cpp's tokenizer turns each space into U+2581 and every other character into its UTF-8 byte tokens; the
training data is tokenized the same way, so what the model learns is what og-llm feeds it. The GGUF (v3, F32) is
written with struct; no gguf package is needed. Run with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

UNK, BOS, EOS, FIRST_BYTE, SPACE, VOCAB = 0, 1, 2, 3, 259, 260


def tokenize(text: str) -> list:
    """llama.cpp's SentencePiece tokenization for this vocabulary: a leading space, spaces as U+2581, bytes otherwise."""
    ids = [BOS, SPACE]
    for ch in text:
        if ch == " ":
            ids.append(SPACE)
        else:
            ids.extend(FIRST_BYTE + b for b in ch.encode("utf-8"))
    return ids


def detokenize(ids) -> str:
    out = bytearray()
    for t in ids:
        if t == SPACE:
            out += b" "
        elif FIRST_BYTE <= t < SPACE:
            out.append(t - FIRST_BYTE)
    return out.decode("utf-8", errors="replace")


def read_corpus(path: str) -> list:
    files = [os.path.join(path, f) for f in sorted(os.listdir(path))] if os.path.isdir(path) else [path]
    ids = []
    for name in files:
        if os.path.isfile(name):
            with open(name, encoding="utf-8", errors="replace") as f:
                ids.extend(tokenize(f.read()))
    return ids


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, base):
    """Rotary embedding on adjacent pairs (x[2i], x[2i+1]) of each head: llama.cpp's LLAMA_ROPE_TYPE_NORM."""
    _, t, _, d = x.shape
    freqs = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    angles = torch.arange(t, dtype=torch.float32)[:, None] * freqs[None, :]
    cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)


class Block(torch.nn.Module):
    def __init__(self, dim, heads, ff, eps, base):
        super().__init__()
        self.heads, self.base = heads, base
        self.attn_norm, self.ffn_norm = RMSNorm(dim, eps), RMSNorm(dim, eps)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.gate, self.up = torch.nn.Linear(dim, ff, bias=False), torch.nn.Linear(dim, ff, bias=False)
        self.down = torch.nn.Linear(ff, dim, bias=False)

    def forward(self, x):
        b, t, dim = x.shape
        h = self.attn_norm(x)
        shape = (b, t, self.heads, dim // self.heads)
        q = rope(self.q(h).view(shape), self.base).transpose(1, 2)
        k = rope(self.k(h).view(shape), self.base).transpose(1, 2)
        v = self.v(h).view(shape).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(dim // self.heads)
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        attn = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.o(attn.transpose(1, 2).reshape(b, t, dim))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class TinyLlama(torch.nn.Module):
    def __init__(self, dim, layers, heads, ff, eps=1e-5, base=10000.0):
        super().__init__()
        self.config = dict(dim=dim, layers=layers, heads=heads, ff=ff, eps=eps, base=base)
        self.embed = torch.nn.Embedding(VOCAB, dim)
        self.blocks = torch.nn.ModuleList(Block(dim, heads, ff, eps, base) for _ in range(layers))
        self.norm = RMSNorm(dim, eps)
        self.output = torch.nn.Linear(dim, VOCAB, bias=False)

    def forward(self, ids):
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x)
        return self.output(self.norm(x))


def write_gguf(model: TinyLlama, context: int, path: str):
    c = model.config
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["\u2581"]
    types = [2, 3, 3] + [6] * 256 + [1]  # llama_token_type: unknown, control, byte, normal

    def string(s):
        b = s.encode("utf-8")
        return struct.pack("<Q", len(b)) + b

    U32, F32, BOOL, STR, ARR, I32 = 4, 6, 7, 8, 9, 5
    meta = [
        ("general.architecture", STR, string("llama")),
        ("general.name", STR, string("opengrid-tiny-lm")),
        ("general.file_type", U32, struct.pack("<I", 0)),
        ("llama.context_length", U32, struct.pack("<I", context)),
        ("llama.embedding_length", U32, struct.pack("<I", c["dim"])),
        ("llama.block_count", U32, struct.pack("<I", c["layers"])),
        ("llama.feed_forward_length", U32, struct.pack("<I", c["ff"])),
        ("llama.attention.head_count", U32, struct.pack("<I", c["heads"])),
        ("llama.attention.head_count_kv", U32, struct.pack("<I", c["heads"])),
        ("llama.attention.layer_norm_rms_epsilon", F32, struct.pack("<f", c["eps"])),
        ("llama.rope.dimension_count", U32, struct.pack("<I", c["dim"] // c["heads"])),
        ("llama.rope.freq_base", F32, struct.pack("<f", c["base"])),
        ("llama.vocab_size", U32, struct.pack("<I", VOCAB)),
        ("tokenizer.ggml.model", STR, string("llama")),
        ("tokenizer.ggml.tokens", ARR, struct.pack("<IQ", STR, VOCAB) + b"".join(string(t) for t in tokens)),
        ("tokenizer.ggml.scores", ARR, struct.pack("<IQ", F32, VOCAB) + struct.pack(f"<{VOCAB}f", *([0.0] * VOCAB))),
        ("tokenizer.ggml.token_type", ARR, struct.pack("<IQ", I32, VOCAB) + struct.pack(f"<{VOCAB}i", *types)),
        ("tokenizer.ggml.unknown_token_id", U32, struct.pack("<I", UNK)),
        ("tokenizer.ggml.bos_token_id", U32, struct.pack("<I", BOS)),
        ("tokenizer.ggml.eos_token_id", U32, struct.pack("<I", EOS)),
        ("tokenizer.ggml.add_bos_token", BOOL, struct.pack("<?", True)),
        ("tokenizer.ggml.add_eos_token", BOOL, struct.pack("<?", False)),
    ]
    tensors = [("token_embd.weight", model.embed.weight), ("output_norm.weight", model.norm.weight),
               ("output.weight", model.output.weight)]
    for i, blk in enumerate(model.blocks):
        tensors += [(f"blk.{i}.attn_norm.weight", blk.attn_norm.weight), (f"blk.{i}.attn_q.weight", blk.q.weight),
                    (f"blk.{i}.attn_k.weight", blk.k.weight), (f"blk.{i}.attn_v.weight", blk.v.weight),
                    (f"blk.{i}.attn_output.weight", blk.o.weight), (f"blk.{i}.ffn_norm.weight", blk.ffn_norm.weight),
                    (f"blk.{i}.ffn_gate.weight", blk.gate.weight), (f"blk.{i}.ffn_up.weight", blk.up.weight),
                    (f"blk.{i}.ffn_down.weight", blk.down.weight)]

    align = 32
    pad = lambda n: (align - n % align) % align
    header = struct.pack("<IIQQ", 0x46554747, 3, len(tensors), len(meta))
    header += b"".join(string(k) + struct.pack("<I", t) + v for k, t, v in meta)
    data, offset = [], 0
    for name, weight in tensors:
        # ggml lists dimensions innermost first: a torch [out, in] weight is ggml [in, out].
        dims = list(reversed(weight.shape))
        header += string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        header += struct.pack("<IQ", 0, offset)  # type F32, offset within the data section
        raw = weight.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        data.append(raw + b"\0" * pad(len(raw)))
        offset += len(data[-1])
    with open(path, "wb") as f:
        f.write(header + b"\0" * pad(len(header)))
        for chunk in data:
            f.write(chunk)


@torch.no_grad()
def sample(model, prompt: str, tokens: int) -> str:
    ids = tokenize(prompt)
    for _ in range(tokens):
        ids.append(int(model(torch.tensor([ids[-128:]]))[0, -1].argmax()))
    return detokenize(ids[len(tokenize(prompt)):])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="/usr/share/common-licenses", help="a text file or a folder of them")
    p.add_argument("--out", default="/out/model.gguf")
    p.add_argument("--metrics", default="/out/metrics.json")
    p.add_argument("--minutes", type=float, default=4.0, help="training time budget")
    p.add_argument("--max-steps", type=int, default=5000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch threads; more only helps on idle cores")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=256)
    p.add_argument("--context", type=int, default=64, help="training window; the GGUF allows 8x this")
    p.add_argument("--batch", type=int, default=16)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    data = torch.tensor(read_corpus(args.corpus), dtype=torch.long)
    if len(data) <= args.context + 1:
        sys.exit(f"train_tiny_lm: the corpus {args.corpus} has only {len(data)} tokens")
    print(f"corpus: {args.corpus}, {len(data)} tokens", flush=True)

    model = TinyLlama(args.dim, args.layers, args.heads, args.ff)
    params = sum(t.numel() for t in model.parameters())
    print(f"model: {args.layers} layers, {args.dim} wide, {params} parameters", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    generator = torch.Generator().manual_seed(args.seed)
    losses, start, step = [], time.monotonic(), 0
    while step < args.max_steps and time.monotonic() - start < args.minutes * 60:
        lr = 3e-3 * min(1.0, (step + 1) / 100)
        for group in opt.param_groups:
            group["lr"] = lr
        starts = torch.randint(0, len(data) - args.context - 1, (args.batch,), generator=generator)
        batch = torch.stack([data[s:s + args.context + 1] for s in starts])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            losses.append({"step": step, "loss": round(loss.item(), 4)})
            print(f"step {step}: loss {loss.item():.3f} ({time.monotonic() - start:.0f} s)", flush=True)

    model.eval()
    print("sample:", repr(sample(model, "This License", 80)), flush=True)
    write_gguf(model, args.context * 8, args.out)
    with open(args.metrics, "w") as f:
        json.dump({"steps": step, "seconds": round(time.monotonic() - start, 1), "parameters": params,
                   "final_loss": losses[-1]["loss"] if losses else None, "loss": losses}, f, indent=2)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes) after {step} steps", flush=True)


if __name__ == "__main__":
    main()
