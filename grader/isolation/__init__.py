"""The trust boundary: everything that runs in the untrusted worker process, and the parent's end of it.

Worker side (the standard library and numpy only; tests/test_layout.py checks it): `protocol` (the
pickle-free wire format), `script` (the steps a trial runs, and their executor), `worker` (imports the
student's files and runs steps), `zygote` (the fork server that starts workers fast), `sandbox` (rlimits,
namespaces, Landlock, seccomp), `credentials` (the uid a worker drops to).
Parent side: `session` (starts a worker, sends it steps and inputs, validates everything it sends back).
"""
