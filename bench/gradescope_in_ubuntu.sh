#!/usr/bin/env bash
# The Gradescope autograder in a fresh Ubuntu 22.04 root, laid out as Gradescope lays it out.
#
# Needs root, debootstrap and network. Builds (or reuses) a minimal Ubuntu root in ROOT (default
# /tmp/ubuntu-root, with the archive components of the official ubuntu:22.04 image), extracts
# autograder.zip into ROOT/autograder/source, runs setup.sh there as Gradescope does at image
# build (with network), copies run_autograder to ROOT/autograder/run_autograder, then grades the
# bundled example, the reference, a notebook, an empty upload and a hanging one with no network
# (a new network namespace). Prints the setup time and, per submission, the score and time.
#
#   sudo bench/gradescope_in_ubuntu.sh [ROOT]
#
# Behind a TLS-intercepting proxy, put its CA in ROOT/usr/local/share/ca-certificates first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${1:-/tmp/ubuntu-root}"
if [ ! -x "$root/bin/bash" ]; then
    debootstrap --variant=minbase jammy "$root" http://archive.ubuntu.com/ubuntu >/dev/null
fi
cat > "$root/etc/apt/sources.list" <<'EOF'
deb http://archive.ubuntu.com/ubuntu/ jammy main restricted universe multiverse
deb http://archive.ubuntu.com/ubuntu/ jammy-updates main restricted universe multiverse
deb http://security.ubuntu.com/ubuntu/ jammy-security main restricted universe multiverse
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
trap 'umount "$root/proc" "$root/dev"' EXIT

rm -rf "$root/autograder"
mkdir -p "$root/autograder/source"
(cd "$here" && grade gradescope --out "$root/autograder.zip" --timeout 5 >/dev/null)
python3 -m zipfile -e "$root/autograder.zip" "$root/autograder/source"
cp "$root/autograder/source/run_autograder" "$root/autograder/run_autograder"
chmod +x "$root/autograder/source/setup.sh" "$root/autograder/run_autograder"
clean_env=(/usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
           REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt)
start=$(date +%s.%N)
chroot "$root" "${clean_env[@]}" /bin/bash -c "cd /autograder/source && bash setup.sh" >/dev/null
echo "setup.sh: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s ($(chroot "$root" /autograder/venv/bin/python -V))"

work="$(mktemp -d)"
printf 'while True:\n    pass\n' > "$work/fc.py"
grade_upload() {
    local name="$1"; shift
    rm -rf "$root/autograder/submission" "$root/autograder/results"
    mkdir -p "$root/autograder/submission"
    [ "$#" -gt 0 ] && cp -r "$@" "$root/autograder/submission/"
    local t0; t0=$(date +%s.%N)
    unshare -n chroot "$root" "${clean_env[@]}" /bin/bash -c "cd /autograder && ./run_autograder" >/dev/null
    python3 - "$root/autograder/results/results.json" "$name" "$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<22} score {doc['score']:>4g}  tests {len(doc['tests']):>3}  {sys.argv[3]} s")
EOF
}
grade_upload "example (.py files)" "$here"/examples/buggy_submission/*.py
grade_upload "reference (.py files)" "$here"/reference/*.py
grade_upload "stub notebook" "$here/exercises/relu/relu.ipynb"
grade_upload "empty upload"
grade_upload "hanging fc.py (5 s)" "$work/fc.py"
rm -rf "$work"
