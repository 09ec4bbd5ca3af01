"""Known wrong answers for exercise `scanning_mlp` (staff only; see grader.judging.mutants).

`_variant` reruns the scanning backward over the reference's own forward
cache, with one misconception switched on; the makers pick the outputs that
misconception changes.
"""

import weakref

import numpy as np

GRADS = ("dX", "dW1", "db1", "dW2", "db2", "dW3", "db3")
#: {trial: {variant key: gradients}}. Keyed by the trial object itself, weakly: an id() key could be reused
#: by a later trial once the first is freed, and would hand it another trial's gradients.
_CACHE = weakref.WeakKeyDictionary()


def _mask(kind, z, a, g):
    """The factor a student multiplies the upstream row g (1, H) by at a ReLU."""
    if kind == "input":
        return (z > 0).T
    if kind == "inverted":
        return (z <= 0).T
    if kind == "upstream":
        return g > 0
    if kind == "output":
        return a.T
    return np.ones_like(g)       # "none"


CACHED = ("x", "z1", "a1", "z2", "a2")


def _variant(ctx, mask1="input", mask2="input", cache="own", stale=CACHED):
    """cache: which window's cache window t reads ("own", "last", "first", "reversed"),
    for the cached quantities named in `stale` (the others stay per window)."""
    key = (mask1, mask2, cache, stale)
    known = _CACHE.setdefault(ctx.trial, {})
    if key in known:
        return known[key]
    i = ctx.inputs
    net = ctx.reference.ScanningMLP(i["W1"], i["b1"], i["W2"], i["b2"], i["W3"], i["b3"], i["N"])
    net.forward(i["X"])
    dO = np.asarray(i["dO"], dtype=float)
    N, T = net.N, net.T
    out = {"dX": np.zeros((1, T)), "dW1": np.zeros(net.W1.shape), "db1": np.zeros((1, net.W1.shape[0])),
           "dW2": np.zeros(net.W2.shape), "db2": np.zeros((1, net.W2.shape[0])),
           "dW3": np.zeros(net.W3.shape), "db3": np.zeros((1, net.W3.shape[0]))}
    windows = len(net.cache)
    for t in range(windows):
        source = {"own": t, "last": windows - 1, "first": 0, "reversed": windows - 1 - t}[cache]
        mine = dict(zip(CACHED, net.cache[t]))
        other = dict(zip(CACHED, net.cache[source]))
        x, z1, a1, z2, a2 = (other[q] if q in stale else mine[q] for q in CACHED)
        g = dO[:, t:t + 1].T
        out["db3"] += g
        out["dW3"] += g.T @ a2.T
        g2 = g @ net.W3
        g2 = g2 * _mask(mask2, z2, a2, g2)
        out["db2"] += g2
        out["dW2"] += g2.T @ a1.T
        g1 = g2 @ net.W2
        g1 = g1 * _mask(mask1, z1, a1, g1)
        out["db1"] += g1
        out["dW1"] += g1.T @ x.T
        out["dX"][:, t:t + N] += g1 @ net.W1
    known[key] = out
    return out


def _changed(ctx, **knobs):
    base = _variant(ctx)
    other = _variant(ctx, **knobs)
    return {g: other[g] for g in GRADS if not np.allclose(other[g], base[g], rtol=1e-12, atol=1e-15)}


def make_stale_cache_last(ctx):
    return _changed(ctx, cache="last")


def make_stale_cache_first(ctx):
    return _changed(ctx, cache="first")


def make_stale_cache_reversed(ctx):
    return _changed(ctx, cache="reversed")


def _stale_one(quantity):
    def maker(ctx):
        return _changed(ctx, cache="last", stale=(quantity,))
    return maker


for _q in CACHED:
    globals()[f"make_stale_{_q}_last"] = _stale_one(_q)


def _mask_maker(kind, layers):
    def maker(ctx):
        knobs = {f"mask{layer}": kind for layer in layers}
        return _changed(ctx, **knobs)
    return maker


for _kind in ("none", "inverted", "upstream", "output"):
    for _name, _layers in (("both", (1, 2)), ("layer1", (1,)), ("layer2", (2,))):
        globals()[f"make_mask_{_kind}_{_name}"] = _mask_maker(_kind, _layers)


def make_dX_overwritten(ctx):
    """∇_X L written with = per window: each input keeps the last window that covered it."""
    parts = ctx.parts["dX"]
    N = int(ctx.inputs["N"])
    out = np.zeros_like(parts[0])
    for t, p in enumerate(parts):
        out[:, t:t + N] = p[:, t:t + N]
    return {"dX": out}


def make_dX_shifted(ctx):
    """Window t's input gradient scattered one position to the right (dropping what falls off)."""
    out = np.zeros_like(ctx.parts["dX"][0])
    for p in ctx.parts["dX"]:
        out[:, 1:] += p[:, :-1]
    return {"dX": out}
