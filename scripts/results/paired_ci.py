"""The paired comparisons' statistics, shared by the results scripts: a mean with the half-width of its 95% Student-t
interval, the verdict that docs/RESULTS.md and docs/scaling/*.md print for a difference (lower loss is better), a
contrast pooled over several k-means fits (regroupings), and the contrasts 'A:B,...' a command line names."""
import statistics as st
import sys
from scipy import stats


def ci(xs):
    """Mean of xs and the half-width of its 95% t interval (NaN for a single value)."""
    m = st.mean(xs)
    return (m, stats.t.ppf(0.975, len(xs) - 1) * st.stdev(xs) / len(xs) ** 0.5) if len(xs) > 1 else (m, float('nan'))


def verdict(m, h):
    """'better' when the interval m +- h lies below 0, 'worse' above, else 'not distinguishable'."""
    return 'better' if m + h < 0 else 'worse' if m - h > 0 else 'not distinguishable'


def pooled(ds):
    """A contrast pooled over F >= 2 fits, ds[f] its paired differences (one per training seed) under fit f. Returns
    (the per-fit means, the pooled mean: their unweighted mean, the 95% half-width with the fit as a random effect:
    t over the F per-fit means, F - 1 df; the 95% half-width from seed noise alone: the pooled within-fit variance s^2,
    sum(n_f - 1) df; the between-fit SD beyond seed noise).

    Why these: the random-effect interval is the one that speaks for a fit not yet drawn; the seed-noise one treats the
    F fits as fixed. Fits weigh equally, so the pooled mean's seed-noise variance is sum(s^2 / n_f) / F^2 = s^2 /
    n_eff with n_eff = F^2 / sum(1 / n_f) (F n for equal n), and the per-fit means scatter by s^2 mean(1 / n_f) from
    seed noise alone: what their variance has beyond that is the between-fit variance."""
    means = [st.mean(d) for d in ds]
    mean, h_fit = ci(means)
    within = st.mean(st.variance(d) for d in ds)
    inv_n = [1 / len(d) for d in ds]
    h_seed = stats.t.ppf(0.975, sum(len(d) - 1 for d in ds)) * (within * sum(inv_n) / len(ds) ** 2) ** 0.5
    between = max(0.0, st.variance(means) - within * st.mean(inv_n)) ** 0.5
    return means, mean, h_fit, h_seed, between


def contrasts(text):
    """[(A, B), ...] from 'A:B,C:D,...', each split at the ',' and ':' outside parentheses: a method name may hold both
    inside them, e.g. 'R&B (lambda=16:uniform=0.1)'. Stops the script on a contrast without exactly one such ':'."""
    def split(t, sep):
        parts, depth, start = [], 0, 0
        for i, ch in enumerate(t):
            depth += {'(': 1, ')': -1}.get(ch, 0)
            if ch == sep and depth == 0:
                parts.append(t[start:i])
                start = i + 1
        return parts + [t[start:]]
    pairs = [split(c, ':') for c in split(text, ',')]
    for c, pair in zip(split(text, ','), pairs):
        if len(pair) != 2:
            sys.exit('contrast %r: need one A:B with ":" outside parentheses' % c)
    return [tuple(pair) for pair in pairs]
