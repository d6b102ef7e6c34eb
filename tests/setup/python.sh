#!/usr/bin/env bash
# What the local-invoke suites and benchmark need of Python. Quick when already there.
#   - CPython 3.11, 3.12 and 3.13: each runtime runs on its own minor version. This
#     machine's image has them under pyenv ($(pyenv root)/versions/3.1X.Y), which is where
#     lambda-ls finds them; elsewhere `uv python install` provides them (it needs the
#     internet), else this fails and says what to install.
#   - for the host's python3: awslambdaric (the serve suite checks it is importable there;
#     invoke installs its own copy into lambda-ls's cache) and python-lambda-local (the
#     benchmark's comparison).
# The suites install the rest themselves through lambda-ls (debugpy, boto3, dependencies).
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "python.sh: $python not found; installing Debian's python3" >&2
    apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi

pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for minor in 11 12 13; do
    if compgen -G "$pyenv_root/versions/3.$minor.*/bin/python3.$minor" >/dev/null; then
        continue
    fi
    if command -v uv >/dev/null 2>&1 &&
        { uv python find --managed-python --no-project "3.$minor" >/dev/null 2>&1 ||
            uv python install "3.$minor" >/dev/null 2>&1; }; then
        continue
    fi
    echo "python.sh: no CPython 3.$minor under $pyenv_root/versions and uv could not install one;" >&2
    echo "           install it (pyenv install 3.$minor, or uv python install 3.$minor)" >&2
    exit 1
done

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
