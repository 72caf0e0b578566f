#!/usr/bin/env python3
"""Turns a JMH JSON result (-rf json) into the markdown tables of docs/BENCHMARKS.md.

Reports medians of the measurement iterations (not means: the machines are
shared and noisy) and ratios between benchmarks measured in the same run.
    python3 benchmarks/summarize.py results.json
"""
import json
import statistics
import sys


def load(path):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)
        key = (name[-2], name[-1], tuple(sorted(r.get("params", {}).items())))
        raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
        rows[key] = (statistics.median(raw), min(raw), max(raw), r["primaryMetric"]["scoreUnit"])
    return rows


def get(table, cls, method, **params):
    return table.get((cls, method, tuple(sorted((k, str(v)) for k, v in params.items()))))


def fmt(x):
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def main():
    rows = load(sys.argv[1])
    out = []
    gp = [k for k in rows if k[0] == "GramTimesPBenchmark" and k[1] == "gpWithoutForming"]
    if gp:
        out += ["### G p and the update, cpu, d = 1024", "",
                "| k | G p + update (us, median) | copy of the gradients = bandwidth floor (us) | ratio to floor | SSYRK + multiply (us) | SSYRK path / ours |",
                "|---|---|---|---|---|---|"]
        for key in sorted(gp, key=lambda k: int(dict(k[2])["k"])):
            k = dict(key[2])["k"]
            ours = rows[key][0]
            floor = get(rows, "GramTimesPBenchmark", "copyGradients", k=k)
            syrk = get(rows, "GramTimesPBenchmark", "formGramBySyrkThenMultiply", k=k)
            out.append(f"| {k} | {fmt(ours)} | {fmt(floor[0]) if floor else 'n/a'} | "
                       f"{fmt(ours / floor[0]) + 'x' if floor else 'n/a'} | "
                       f"{fmt(syrk[0]) if syrk else 'n/a (G would need k^2 floats)'} | "
                       f"{fmt(syrk[0] / ours) + 'x' if syrk else 'n/a'} |")
        out.append("")
    dg = [k for k in rows if k[0] == "DomainGradBenchmark" and k[1] == "plainWeightGradientGemm"]
    if dg:
        out += ["### Per-domain accumulation, cpu, h = v = 256, k = 64", "",
                "| rows per call | plain GEMM E^T H (us) | exact per-domain (us) | exact / plain | sketched r=1024 (us) | sketched / plain | exact rows/s |",
                "|---|---|---|---|---|---|---|"]
        for key in sorted(dg, key=lambda k: int(dict(k[2])["rows"])):
            r = dict(key[2])["rows"]
            plain = rows[key][0]
            ex = get(rows, "DomainGradBenchmark", "exactPerDomain", rows=r)[0]
            sk = get(rows, "DomainGradBenchmark", "sketchedPerDomain", rows=r)[0]
            out.append(f"| {r} | {fmt(plain)} | {fmt(ex)} | {ex / plain:.2f}x | {fmt(sk)} | {sk / plain:.2f}x | {fmt(int(r) / ex * 1e6)} |")
        out.append("")
    km = [k for k in rows if k[0] == "KMeansBenchmark" and k[1] == "assignPass"]
    if km:
        out += ["### k-means passes, cpu, N = 20000, d = 256", "",
                "| k | assignment pass (ms) | its distance GEMM alone (ms) | assignment / GEMM | centroid update (ms) |",
                "|---|---|---|---|---|"]
        for key in sorted(km, key=lambda k: int(dict(k[2])["k"])):
            k = dict(key[2])["k"]
            a = rows[key][0]
            g = get(rows, "KMeansBenchmark", "distanceGemmOnly", k=k)[0]
            u = get(rows, "KMeansBenchmark", "updatePass", k=k)[0]
            out.append(f"| {k} | {fmt(a)} | {fmt(g)} | {a / g:.2f}x | {fmt(u)} |")
        out.append("")
    ts = [k for k in rows if k[0] == "RnbOverheadBenchmark" and dict(k[2]).get("mode") == "none"]
    if ts:
        out += ["### R&B's cost per training step, default model, cpu", "",
                "| k | step without R&B (ms) | exact (ms) | exact / none | sketched r=1024 (ms) | sketched / none | spread of none (min..max, ms) |",
                "|---|---|---|---|---|---|---|"]
        for key in sorted(ts, key=lambda k: int(dict(k[2])["k"])):
            p = dict(key[2])
            none, lo, hi, _ = rows[key]
            ex = get(rows, "RnbOverheadBenchmark", "trainingStep", **{**p, "mode": "exact"})
            sk = get(rows, "RnbOverheadBenchmark", "trainingStep", **{**p, "mode": "sketch"})
            cells = [f"{fmt(r[0])} | {r[0] / none:.3f}x" if r else "n/a | n/a" for r in (ex, sk)]
            out.append(f"| {p['k']} | {fmt(none)} | {cells[0]} | {cells[1]} | {fmt(lo)}..{fmt(hi)} |")
        out.append("")
    other = sorted(k for k in rows if k[0] not in ("GramTimesPBenchmark", "DomainGradBenchmark", "KMeansBenchmark", "RnbOverheadBenchmark"))
    if other:
        out += ["### Other suites (medians)", "", "| benchmark | params | median | min | max | unit |", "|---|---|---|---|---|---|"]
        for key in other:
            med, lo, hi, unit = rows[key]
            params = ", ".join(f"{a}={b}" for a, b in key[2])
            out.append(f"| {key[0]}.{key[1]} | {params} | {fmt(med)} | {fmt(lo)} | {fmt(hi)} | {unit} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
