"""Judging, in the trusted parent: expected values, comparison, structure, diagnosis and the checks.

`engine` (plans a submission's trials once, runs them through `grader.isolation.session`, and asks every
check for its verdict), `oracle` (where expected values come from: the reference, stored public cases, or
finite differences of the student's forward via `numgrad`), `compare` (tolerances by precision),
`structure` (type, shape, dtype, finiteness before any comparison), `convention` (layout rules as data:
conventions/*.toml), `diagnosis` and `explain` (naming the misconception), `mutants` (known wrong answers),
`checks` and `special` (the kinds of check), `trial` and `values` (what a trial is and what came back).
"""
