"""The same Lloyd iteration as rnb's k-means, in PyTorch, on the same GPU.

Distances from one GEMM per row chunk (||x||^2 - 2 x.c + ||c||^2), argmin,
centroid sums by index_add_, counts by bincount; centroids start at the first
k points and run a fixed number of iterations (the FAISS benchmark's shape:
N = 1M, d = 256, k = 20,000, 25 iterations). Prints one JSON line.

    python3 kmeans_torch.py [--n N] [--d D] [--k K] [--iterations I]
"""
import argparse
import json
import time

import torch


def lloyd(x, k, iterations, chunk=65536):
    c = x[:k].clone()
    x_norms = (x * x).sum(1)
    assign = torch.empty(x.shape[0], dtype=torch.long, device=x.device)
    for _ in range(iterations):
        c_norms = (c * c).sum(1)
        for start in range(0, x.shape[0], chunk):
            xs = x[start:start + chunk]
            dist = x_norms[start:start + chunk, None] - 2.0 * (xs @ c.T) + c_norms[None, :]
            assign[start:start + chunk] = dist.argmin(1)
        sums = torch.zeros_like(c).index_add_(0, assign, x)
        counts = torch.bincount(assign, minlength=k).to(x.dtype)
        nonempty = counts > 0
        c[nonempty] = sums[nonempty] / counts[nonempty, None]
    return c, assign


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--k", type=int, default=20_000)
    p.add_argument("--iterations", type=int, default=25)
    a = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    gen = torch.Generator(device="cuda").manual_seed(1)
    x = torch.randn(a.n, a.d, device="cuda", generator=gen)
    lloyd(x[: min(a.n, 4 * a.k)], a.k if a.n >= 4 * a.k else max(1, a.n // 4), 1)  # warm up kernels
    torch.cuda.synchronize()
    start = time.perf_counter()
    lloyd(x, a.k, a.iterations)
    torch.cuda.synchronize()
    ms = (time.perf_counter() - start) * 1e3
    flops = 2.0 * a.n * a.k * a.d * a.iterations
    print(json.dumps({"group": "k-means", "what": f"PyTorch, {a.iterations} Lloyd iterations",
                      "size": f"N={a.n} d={a.d} k={a.k}", "median_ms": ms, "rate": flops / ms / 1e9,
                      "rate_unit": "TFLOP/s", "device": torch.cuda.get_device_name()}))


if __name__ == "__main__":
    main()
