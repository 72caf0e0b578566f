"""One training step of rnb's byte-level GPT in PyTorch, written as a test fixture.

An external check of dev.rnb.model.Gpt, as llm.c's test_gpt2 is of train_gpt2.c:
the same model is built from PyTorch's own pieces (embedding lookups,
F.layer_norm, a causal softmax attention, F.gelu(approximate="tanh"),
F.cross_entropy, clip_grad_norm_ and torch.optim.AdamW) over rnb's parameter
layout (ParameterLayout: matrices and embeddings first, the block AdamW decays,
then LayerNorm parameters and biases), in float64. It runs one step on a fixed
batch and writes what GptMatchesPyTorchTest compares every backend against:

    step.json         config, batch shape, AdamW settings, loss, global grad norm
    batch.npy         3 x N: token ids, targets, loss weights (N = B*T rows)
    params.npy        1 x P: the parameters before the step
    logits.npy        N x 256
    grads.npy         1 x P: d loss / d params
    params_after.npy  1 x P: the parameters after one AdamW step (step 1)

All float32 little-endian; the parameters and the batch are float32 values, so
both sides start from the same numbers. Regenerate (Debian's python3-torch):

    python3 benchmarks/python/gpt_fixture.py java/src/test/resources/dev/rnb/model/gpt_step
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

VOCAB = 256
CONTEXT, LAYERS, HEADS, CHANNELS = 16, 2, 4, 16
B, T = 3, 11  # ragged: 3 sequences, 11 of the 16 positions
# AdamW settings. eps is near the gradients' typical size (not 1e-8) so that the
# first step, lr * g / (|g| + eps), depends on the clipping coefficient; with a
# tiny eps it would be lr * sign(g) whatever the clipping.
LR, BETA1, BETA2, EPS, WEIGHT_DECAY, MAX_NORM = 1e-2, 0.9, 0.95, 1e-3, 0.1, 5.0
STEP = 1


def layout():
    """(name, layer, shape) in ParameterLayout's order, and how many leading tensors AdamW decays."""
    c, out = CHANNELS, []
    out += [("wte", -1, (VOCAB, c)), ("wpe", -1, (CONTEXT, c))]
    for l in range(LAYERS):
        out += [("qkvw", l, (3 * c, c)), ("attprojw", l, (c, c)), ("fcw", l, (4 * c, c)), ("fcprojw", l, (c, 4 * c))]
    out += [("headw", -1, (VOCAB, c))]
    decayed = len(out)
    for l in range(LAYERS):
        out += [("ln1w", l, (c,)), ("ln1b", l, (c,)), ("qkvb", l, (3 * c,)), ("attprojb", l, (c,)),
                ("ln2w", l, (c,)), ("ln2b", l, (c,)), ("fcb", l, (4 * c,)), ("fcprojb", l, (c,))]
    out += [("lnfw", -1, (c,)), ("lnfb", -1, (c,)), ("headb", -1, (VOCAB,))]
    return out, decayed


def initial_values(name, shape, gen):
    """Float32 values large enough that every nonlinearity works off its linear range:
    matrices N(0, 1/fan_in) so activations are O(1) (GELU's tanh form is then visibly
    not the erf form), embeddings N(0, 0.02^2) as GPT-2 so the first LayerNorm's
    variance is small and its eps matters, LayerNorm weights 1 + N(0, 0.1^2), biases N(0, 0.1^2)."""
    if name in ("wte", "wpe"):
        std = 0.02
    elif len(shape) == 2:
        std = 1 / math.sqrt(shape[1])
    else:
        std = 0.1
    x = torch.randn(shape, generator=gen, dtype=torch.float64) * std
    if name.startswith("ln") and name.endswith("w"):
        x += 1
    return x.float().double()


def causal_attention(qkv, heads):
    b, t, c3 = qkv.shape
    c = c3 // 3
    q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in qkv.split(c, dim=2))
    scores = q @ k.transpose(-2, -1) / math.sqrt(c // heads)
    future = torch.ones(t, t, dtype=torch.bool).triu(1)
    att = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return (att @ v).transpose(1, 2).reshape(b, t, c)


def forward(p, idx):
    """p maps (name, layer) to a tensor; returns logits (B*T x 256)."""
    def ln(x, w, b):
        return F.layer_norm(x, (CHANNELS,), p[w], p[b], eps=1e-5)

    x = p["wte", -1][idx] + p["wpe", -1][: idx.shape[1]]
    for l in range(LAYERS):
        h = F.linear(ln(x, ("ln1w", l), ("ln1b", l)), p["qkvw", l], p["qkvb", l])
        x = x + F.linear(causal_attention(h, HEADS), p["attprojw", l], p["attprojb", l])
        h = F.gelu(F.linear(ln(x, ("ln2w", l), ("ln2b", l)), p["fcw", l], p["fcb", l]), approximate="tanh")
        x = x + F.linear(h, p["fcprojw", l], p["fcprojb", l])
    return F.linear(ln(x, ("lnfw", -1), ("lnfb", -1)), p["headw", -1], p["headb", -1]).view(-1, VOCAB)


def batch(gen):
    """Random bytes; sequences of 11, 8 and 5 valid positions (the rest weight 0); weights are
    mask / valid count times a factor in [0.5, 1.5), so they are not a plain mean."""
    idx = torch.randint(0, VOCAB, (B, T), generator=gen)
    targets = torch.randint(0, VOCAB, (B, T), generator=gen)
    valid = torch.tensor([11, 8, 5])
    mask = (torch.arange(T)[None, :] < valid[:, None]).double()
    factor = 0.5 + torch.rand((B, T), generator=gen, dtype=torch.float64)
    weights = (mask * factor / valid.sum()).float().double()
    return idx, targets, weights


def save(folder, name, rows):
    np.save(os.path.join(folder, name), np.ascontiguousarray(rows, dtype="<f4"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    folder = args.folder
    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(args.seed)

    entries, decayed = layout()
    params = {(n, l): initial_values(n, s, gen).requires_grad_() for n, l, s in entries}
    ordered = [params[n, l] for n, l, _ in entries]
    idx, targets, weights = batch(gen)

    logits = forward(params, idx)
    losses = weights.view(-1) * F.cross_entropy(logits, targets.view(-1), reduction="none")
    loss = losses.sum()
    loss.backward()

    flat = lambda ts: torch.cat([t.detach().reshape(-1) for t in ts])
    before, grads = flat(ordered), flat(t.grad for t in ordered)
    # clip_grad_norm_ scales by max_norm / (norm + 1e-6); rnb by max_norm / norm: 2e-6 apart here.
    norm = torch.nn.utils.clip_grad_norm_(ordered, MAX_NORM).item()
    assert norm > MAX_NORM, f"grad norm {norm} does not reach the clip {MAX_NORM}: the fixture would not test clipping"
    opt = torch.optim.AdamW([{"params": ordered[:decayed], "weight_decay": WEIGHT_DECAY},
                             {"params": ordered[decayed:], "weight_decay": 0.0}],
                            lr=LR, betas=(BETA1, BETA2), eps=EPS)
    opt.step()
    after = flat(ordered)

    save(folder, "batch.npy", torch.stack([idx.view(-1).double(), targets.view(-1).double(), weights.view(-1)]).numpy())
    save(folder, "params.npy", before.view(1, -1).numpy())
    save(folder, "logits.npy", logits.detach().numpy())
    save(folder, "grads.npy", grads.view(1, -1).numpy())
    save(folder, "params_after.npy", after.view(1, -1).numpy())
    meta = {"context": CONTEXT, "layers": LAYERS, "heads": HEADS, "channels": CHANNELS, "batch": B, "T": T,
            "lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": EPS, "weight_decay": WEIGHT_DECAY,
            "max_norm": MAX_NORM, "step": STEP, "loss": loss.item(), "grad_norm": norm,
            "torch": torch.__version__, "seed": args.seed}
    with open(os.path.join(folder, "step.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(json.dumps({k: meta[k] for k in ("loss", "grad_norm")}), "parameters", before.numel())


if __name__ == "__main__":
    main()
