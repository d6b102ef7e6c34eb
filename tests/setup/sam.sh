#!/usr/bin/env bash
# The SAM suite checks the templates `lambda-ls export sam` writes with AWS's own linter,
# cfn-lint (PyPI `cfn-lint`), as `sam validate --lint` does. Quick when already installed.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "sam.sh: $python not found; installing Debian's python3" >&2
    apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi
"$python" -c "import cfnlint" 2>/dev/null && exit 0

if ! "$python" -m pip --version >/dev/null 2>&1; then
    "$python" -m ensurepip --upgrade >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }
fi
echo "sam.sh: installing cfn-lint"
pip=("$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
# A system Python marked externally managed (PEP 668) needs the explicit override.
"${pip[@]}" "cfn-lint>=1,<2" 2>/dev/null || "${pip[@]}" --break-system-packages "cfn-lint>=1,<2"
"$python" -c "import cfnlint"
