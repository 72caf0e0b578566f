"""The paired comparisons' statistics, shared by the results scripts: a mean with the half-width of its 95% Student-t
interval, and the verdict that docs/RESULTS.md and docs/scaling/*.md print for a difference (lower loss is better)."""
import statistics as st
from scipy import stats


def ci(xs):
    """Mean of xs and the half-width of its 95% t interval (NaN for a single value)."""
    m = st.mean(xs)
    return (m, stats.t.ppf(0.975, len(xs) - 1) * st.stdev(xs) / len(xs) ** 0.5) if len(xs) > 1 else (m, float('nan'))


def verdict(m, h):
    """'better' when the interval m +- h lies below 0, 'worse' above, else 'not distinguishable'."""
    return 'better' if m + h < 0 else 'worse' if m - h > 0 else 'not distinguishable'
