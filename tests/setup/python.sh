#!/usr/bin/env bash
# Python packages the local-invoke suites and benchmark use: AWS's runtime interface client
# (the suites run every case through it as well as through the embedded client) and
# python-lambda-local (benchmark comparison only). Quick when already installed.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "python.sh: $python not found; installing Debian's python3" >&2
    apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi
missing=()
"$python" -c "import awslambdaric" 2>/dev/null || missing+=(awslambdaric)
"$python" -c "import lambda_local" 2>/dev/null || missing+=(python-lambda-local)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! "$python" -m pip --version >/dev/null 2>&1; then
    "$python" -m ensurepip --upgrade >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }
fi
echo "python.sh: installing ${missing[*]}"
pip=("$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
# A system Python marked externally managed (PEP 668) needs the explicit override.
"${pip[@]}" "${missing[@]}" 2>/dev/null || "${pip[@]}" --break-system-packages "${missing[@]}"
"$python" -c "import awslambdaric, lambda_local"
