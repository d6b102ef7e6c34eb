#!/usr/bin/env bash
# Python packages the local-invoke suites and benchmark use: AWS's runtime interface client
# (tests run every case through it as well as through the embedded client) and
# python-lambda-local (benchmark comparison only). Quick when already installed.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "python.sh: $python not found; the invoke suites need Python 3" >&2
    exit 1
fi
missing=()
"$python" -c "import awslambdaric" 2>/dev/null || missing+=(awslambdaric)
"$python" -c "import lambda_local" 2>/dev/null || missing+=(python-lambda-local)
if [ ${#missing[@]} -gt 0 ]; then
    echo "python.sh: installing ${missing[*]}"
    "$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
