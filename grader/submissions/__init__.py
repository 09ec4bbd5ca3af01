"""Submissions: one way in for every entry point (`grade`, `grade batch`, Gradescope, PrairieLearn, Jupyter).

`intake` (what counts as a submission: folders, renamed files, zips, notebooks), `archive` (safe unzipping),
`conversion` and `submission` (notebooks and files made into modules for the worker), `notebook` (`check()`
in a Jupyter kernel), `safe_read` (bounded reads of untrusted files), `roster` (class rosters).
"""
