"""Checks for exercise `scanning_mlp`: one MLP scanned over overlapping windows.

Shapes (the course convention): X (T, 1); W1 (H1, N), b1 (H1, 1), W2 (H2, H1),
b2 (H2, 1), W3 (K, H2), b3 (K, 1); O and the upstream dO are (K, T-N+1), one
column per window; ∇_X L is (1, T); dW1..dW3 have the shapes of W1..W3;
db1 (1, H1), db2 (1, H2), db3 (1, K).

Every trial has overlapping windows (stride 1 < N), so a shared weight and
most inputs receive contributions from several windows: only `+=`
accumulation gets them right. Dimensions are distinct, so transposed
answers never have the right shape. Inputs are resampled until every hidden
pre-activation, in every window, is at least MARGIN away from 0 (so finite
differences never cross a ReLU kink), until each layer has both active and
inactive units (so a wrong mask shows), and until every window has at least
one active unit in each layer (so every window contributes to every
gradient and a window-handling bug cannot hide in a dead window).

Which check owns which property (a bug costs the checks owning what it breaks, no other):

| check | owns |
|---|---|
| scanning_mlp.forward | the value of forward(X) |
| scanning_mlp.backward.dX | the value of the returned ∇_X L (sums over overlapping windows) |
| scanning_mlp.backward.dW1 … db3 | the value of each stored parameter gradient, one check each |
| scanning_mlp.accumulation | independence from earlier calls: a second forward/backward on one object, with a longer X, equals the same calls on a fresh object; every differing result is named |
| scanning_mlp.hygiene.mutation | no input array changes in place |
| scanning_mlp.hygiene.determinism | two identical runs are bitwise equal |
"""

from __future__ import annotations

import numpy as np

from grader.judging import diagnosis as dx
from grader.authoring import (Decomposition, DeterminismCheck, Exercise, In, Kind, Mutant, MutationCheck,
                              NumericSpec, Quantity, SequenceCheck, Target, TrialPlan, ValueCheck, attr, call,
                              new)

#: Smallest |pre-activation| allowed in any trial.
MARGIN = 0.1
#: (T, N, H1, H2, K) for public and hidden trials; all distinct within a tuple and T-N+1 distinct too.
PUBLIC_DIMS = (8, 3, 5, 4, 2)
HIDDEN_DIMS = ((11, 4, 6, 3, 2), (9, 2, 4, 5, 3), (12, 5, 3, 4, 2))
GRADS = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


def _preactivations(p, X):
    """Hidden pre-activations z1 (H1, windows) and z2 (H2, windows), for kink safety only."""
    N = p["N"]
    windows = np.hstack([X[t:t + N] for t in range(X.shape[0] - N + 1)])
    z1 = p["W1"] @ windows + p["b1"]
    z2 = p["W2"] @ np.maximum(z1, 0.0) + p["b2"]
    return z1, z2


def _safe(p, X):
    """Kink-safe, with active and inactive units, and every window active in every layer."""
    for z in _preactivations(p, X):
        if np.min(np.abs(z)) < MARGIN or not (z < 0).any() or not (z > 0).any(axis=0).all():
            return False
    return True


def _draw(rng, dims, n_inputs):
    T, N, H1, H2, K = dims
    for _ in range(1000):
        p = _params(rng, dims)
        Xs = [rng.standard_normal((T, 1)) for _ in range(n_inputs)]
        if all(_safe(p, X) for X in Xs):
            return p, Xs
    # Rarely reached for one input, often for two at the larger hidden sizes (about 4 seeds in 10):
    # keep a drawn set of weights and look for each input on its own. The loop above stays as it
    # was, so every seed it served draws exactly the same trial as before.
    for _ in range(5000):
        p = _params(rng, dims)
        Xs = []
        for _ in range(n_inputs):
            X = next((X for X in (rng.standard_normal((T, 1)) for _ in range(100)) if _safe(p, X)), None)
            if X is None:
                break
            Xs.append(X)
        if len(Xs) == n_inputs:
            return p, Xs
    raise RuntimeError("could not draw kink-safe scanning-MLP inputs")  # pragma: no cover


#: How much longer the second input of the sequence trials is than the first.
SECOND_LONGER = 3


def _draw_pair(rng, dims):
    """Weights and two kink-safe inputs for one object: X_a of length T, X_b of length T + SECOND_LONGER."""
    T = dims[0]
    for _ in range(5000):
        p = _params(rng, dims)
        Xa = next((X for X in (rng.standard_normal((T, 1)) for _ in range(100)) if _safe(p, X)), None)
        if Xa is None:
            continue
        Xb = next((X for X in (rng.standard_normal((T + SECOND_LONGER, 1)) for _ in range(100)) if _safe(p, X)),
                  None)
        if Xb is not None:
            return p, Xa, Xb
    raise RuntimeError("could not draw kink-safe scanning-MLP inputs")  # pragma: no cover


def _params(rng, dims):
    """Weights and biases of one draw, in the order and scales `_draw` uses."""
    T, N, H1, H2, K = dims
    return {
        "W1": rng.standard_normal((H1, N)), "b1": 0.5 * rng.standard_normal((H1, 1)),
        "W2": rng.standard_normal((H2, H1)) / np.sqrt(H1), "b2": 0.5 * rng.standard_normal((H2, 1)),
        "W3": rng.standard_normal((K, H2)), "b3": rng.standard_normal((K, 1)),
        "N": N,
    }


def make_inputs(recipe, variant, rng):
    dims = PUBLIC_DIMS if variant == "public" else HIDDEN_DIMS[int(rng.integers(len(HIDDEN_DIMS)))]
    T, N, H1, H2, K = dims
    windows = T - N + 1
    if recipe == "twice":
        # The second call gets another length T + SECOND_LONGER (so another number of windows): a
        # window cache that is appended to and never reset, or sized on the first call, shows.
        p, Xa, Xb = _draw_pair(rng, dims)
        windows_b = Xb.shape[0] - N + 1
        dOb = rng.standard_normal((K, windows_b))
        # X_c/dO_c are separate copies of X_b/dO_b for the fresh object, so a call that
        # modifies its inputs in place cannot change what the fresh object receives.
        return {**p, "X_a": Xa, "dO_a": rng.standard_normal((K, windows)),
                "X_b": Xb, "dO_b": dOb, "X_c": Xb.copy(), "dO_c": dOb.copy()}
    p, (X,) = _draw(rng, dims, 1)
    return {**p, "X": X, "dO": rng.standard_normal((K, windows))}


_PARAMS = tuple(In(n) for n in ("W1", "b1", "W2", "b2", "W3", "b3", "N"))

MAIN = (
    new("net", "ScanningMLP", *_PARAMS),
    call("O", "net", "forward", In("X")),
    call("dX", "net", "backward", In("dO")),
    *(attr(g, "net", g) for g in GRADS),
)


def _round(handle, k, X, dO):
    return (call(f"O_{k}", handle, "forward", In(X)), call(f"dX_{k}", handle, "backward", In(dO)),
            *(attr(f"{g}_{k}", handle, g) for g in GRADS))


TWICE = (
    new("net", "ScanningMLP", *_PARAMS),
    *_round("net", 1, "X_a", "dO_a"),
    *_round("net", 2, "X_b", "dO_b"),
    new("fresh", "ScanningMLP", *_PARAMS),
    *_round("fresh", 3, "X_c", "dO_c"),
)

FORWARD = (
    new("net", "ScanningMLP", *_PARAMS),
    call("O", "net", "forward", In("X")),
)

_Q = {
    "dW1": Quantity(Kind.MATRIX_GRADIENT, "∇_W1 L", ("H1", "N"), "W1"),
    "db1": Quantity(Kind.ROW_GRADIENT, "∇_b1 L", ("1", "H1"), "b1"),
    "dW2": Quantity(Kind.MATRIX_GRADIENT, "∇_W2 L", ("H2", "H1"), "W2"),
    "db2": Quantity(Kind.ROW_GRADIENT, "∇_b2 L", ("1", "H2"), "b2"),
    "dW3": Quantity(Kind.MATRIX_GRADIENT, "∇_W3 L", ("K", "H2"), "W3"),
    "db3": Quantity(Kind.ROW_GRADIENT, "∇_b3 L", ("1", "K"), "b3"),
}

_ALL = ("dX",) + GRADS
_LAYERS = {"both": "both ReLU layers", "layer1": "the first ReLU layer", "layer2": "the second ReLU layer"}
_MASKS = {
    "none": "no ReLU mask at {where}: the gradient passes through as if the unit were linear",
    "inverted": "an inverted ReLU mask at {where} (derivative 1 where the pre-activation is negative)",
    "upstream": "a ReLU mask at {where} taken from the upstream gradient (g > 0) instead of the pre-activation",
    "output": "the activation values used in place of the 0/1 ReLU mask at {where}",
}
MUTANTS = (
    Mutant("stale_cache_last", _ALL, dx.STALE_CACHE,
           "a backward that reuses the activations of the last window for every window"),
    Mutant("stale_cache_first", _ALL, dx.STALE_CACHE,
           "a backward that reuses the activations of the first window for every window"),
    Mutant("stale_cache_reversed", _ALL, dx.STALE_CACHE,
           "a backward that pairs window t with the activations of window T-N-t (the cache read in reverse)"),
    *(Mutant(f"stale_{q}_last", _ALL, dx.STALE_CACHE,
             f"a backward that uses the last window's {q} for every window (the other cached values are right)")
      for q in ("x", "z1", "a1", "z2", "a2")),
    *(Mutant(f"mask_{kind}_{where}", _ALL, dx.WRONG_MASK, text.format(where=_LAYERS[where]))
      for kind, text in _MASKS.items() for where in _LAYERS),
    Mutant("dX_overwritten", ("dX",), dx.OVERWROTE_ACCUMULATION,
           "∇_X L written with = window by window: each input keeps only the last window that covers it "
           "instead of the sum over the overlapping windows"),
    Mutant("dX_shifted", ("dX",), dx.WINDOW_OFFSET,
           "each window's input gradient added one position too far to the right"),
)


#: Hints in this exercise's terms (over the generic ones of grader.judging.diagnosis).
EXERCISE_HINTS = {
    dx.WRONG_MASK: "The ReLU derivative is 1 where the forward input was positive and 0 elsewhere; the mask "
                   "comes from the input of the forward pass.",
    dx.OVERWROTE_ACCUMULATION: "A weight or input used in several places receives the sum of the gradients "
                               "from every use: accumulate with += (the lecture's '= versus +=' rule).",
    dx.WINDOW_OFFSET: "Window t covers X[t:t+N], for t = 0 … T-N: check the start, the end and the range of "
                      "your loop over windows.",
    dx.STALE_CACHE: "The backward pass of window t needs the values the forward pass computed for window t: "
                    "keep every window's activations, not only the last ones.",
}


def factors(trial):
    X = trial.inputs.get("X", trial.inputs.get("X_a"))
    N = int(trial.inputs["N"])
    return {"T-N+1, the number of windows": float(X.shape[0] - N + 1), "N, the window length": float(N)}


TRY_IT = """\
rng = np.random.default_rng(0)
T, N, H1, H2, K = 8, 3, 5, 4, 2
net = ScanningMLP(rng.standard_normal((H1, N)), rng.standard_normal((H1, 1)),
                  rng.standard_normal((H2, H1)), rng.standard_normal((H2, 1)),
                  rng.standard_normal((K, H2)), rng.standard_normal((K, 1)), N)
O = net.forward(rng.standard_normal((T, 1)))
dX = net.backward(rng.standard_normal(O.shape))
print("O", O.shape, "dX", dX.shape, "dW1", net.dW1.shape, "db1", net.db1.shape)
"""

EXERCISE = Exercise(
    id="scanning_mlp",
    hints=EXERCISE_HINTS,
    try_it=TRY_IT,
    title="Scanning MLP",
    file="scanning_mlp.py",
    order=3,
    summary="ScanningMLP: a 3-layer MLP over overlapping windows; shared-weight gradients accumulate with +=.",
    recipes={"main": MAIN, "twice": TWICE},
    make_inputs=make_inputs,
    public=(TrialPlan("public-1", "main"), TrialPlan("public-2", "main"),
            TrialPlan("twice", "twice", store=False)),
    hidden=(TrialPlan("hidden-1", "main", "hidden"), TrialPlan("hidden-2", "main", "hidden"),
            TrialPlan("hidden-twice", "twice", "hidden")),
    checks=(
        ValueCheck("scanning_mlp.forward", "forward: one output column per window", 2,
                   targets=(Target("O", Quantity(Kind.WINDOWS, "O", ("K", "T-N+1")), label="forward(X)"),),
                   what="ScanningMLP.forward(X)"),
        ValueCheck("scanning_mlp.backward.dX", "backward: the returned ∇_X L", 2,
                   targets=(Target("dX", Quantity(Kind.ROW_GRADIENT, "∇_X L", ("1", "T"), "X"),
                                   label="the returned ∇_X L"),),
                   what="ScanningMLP.backward(dO)"),
        *(ValueCheck(f"scanning_mlp.backward.{g}", f"backward: self.{g} = {_Q[g].symbol}", 1,
                     targets=(Target(g, _Q[g], label=f"self.{g}"),), what="ScanningMLP.backward(dO)")
          for g in GRADS),
        SequenceCheck("scanning_mlp.accumulation", "a second forward/backward starts from zero", 2,
                      recipe="twice", names=("O", "dX") + GRADS,
                      story="a second forward/backward on the same object, with a longer X"),
        MutationCheck("scanning_mlp.hygiene.mutation", "inputs are not modified", 1),
        DeterminismCheck("scanning_mlp.hygiene.determinism", "identical calls give identical results", 1),
    ),
    numeric=(
        NumericSpec("main", FORWARD, "O", "dO",
                    (("X", "dX"), ("W1", "dW1"), ("b1", "db1"), ("W2", "dW2"), ("b2", "db2"),
                     ("W3", "dW3"), ("b3", "db3"))),
    ),
    mutants=MUTANTS,
    decompositions=(Decomposition("main", "dO", 1, _ALL, part="window"),),
    factors=factors,
)
