"""rnb's byte-level GPT in PyTorch, for tokens/s on the same GPU or CPU.

Same architecture as dev.rnb.model.Gpt (docs/ARCHITECTURE.md): byte vocabulary
256, learned position embedding, pre-LayerNorm blocks with causal multi-head
attention (fused qkv) and a 4C GELU (tanh) MLP, final LayerNorm, separate
(untied) output head, AdamW with clipping at 1.0. Times a full training step
(forward, backward, clip, AdamW) in eager mode and with torch.compile, and
prints one JSON line per mode.

    python3 gpt_torch.py --context 1024 --layers 12 --heads 12 --channels 768 --batch 8
    python3 gpt_torch.py --device cpu --threads 2 --modes eager   # scripts/bench-step-vs-pytorch

On PyTorch before 2.0 (Debian's 1.13) there is no scaled_dot_product_attention:
attention is then the explicit causal softmax(Q K^T / sqrt(hs)) V.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def causal_attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    t = q.shape[-2]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    mask = torch.ones(t, t, dtype=torch.bool, device=q.device).triu(1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1) @ v


class Block(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(c)
        self.qkv = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)
        self.ln2 = nn.LayerNorm(c)
        self.fc = nn.Linear(c, 4 * c)
        self.fcproj = nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        y = causal_attention(q, k, v)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class ByteGpt(nn.Module):
    def __init__(self, context, layers, heads, channels):
        super().__init__()
        self.wte = nn.Embedding(256, channels)
        self.wpe = nn.Embedding(context, channels)
        self.blocks = nn.ModuleList(Block(channels, heads) for _ in range(layers))
        self.lnf = nn.LayerNorm(channels)
        self.head = nn.Linear(channels, 256)

    def forward(self, idx, targets):
        pos = torch.arange(idx.shape[1], device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.lnf(x))
        return F.cross_entropy(logits.view(-1, 256), targets.view(-1))


def tokens_per_second(model, batch, context, steps, device):
    fused = {"fused": True} if device == "cuda" else {}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1, **fused)
    idx = torch.randint(0, 256, (batch, context), device=device)
    targets = torch.randint(0, 256, (batch, context), device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def step():
        loss = model(idx, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(3):
        step()
    sync()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    return median * 1e3, batch * context / median


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=9)
    p.add_argument("--modes", default="eager,compile")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--threads", type=int, default=0, help="intra-op threads on cpu (0: PyTorch's default)")
    a = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device_name = torch.cuda.get_device_name() if a.device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    size = f"L={a.layers} C={a.channels} T={a.context} B={a.batch}"
    for mode in a.modes.split(","):
        torch.manual_seed(1)
        model = ByteGpt(a.context, a.layers, a.heads, a.channels).to(a.device)
        if mode == "compile":
            model = torch.compile(model)
        ms, tps = tokens_per_second(model, a.batch, a.context, a.steps, a.device)
        print(json.dumps({"group": "train step", "what": f"PyTorch {torch.__version__} {mode}", "size": size,
                          "median_ms": ms, "rate": tps, "rate_unit": "tokens/s", "device": device_name}), flush=True)


if __name__ == "__main__":
    main()
