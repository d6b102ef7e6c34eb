#!/usr/bin/env bash
# Installs what the completion_vs_pyright benchmark compares against: pyright (its
# `pyright-langserver --stdio` is the checker behind Pylance) from npm, and a Python venv
# holding aws-lambda-typing (the TypedDicts that let pyright complete S3 event keys).
# Both go into one cache folder, pinned, so every run compares the same versions.
# Idempotent and quick when already installed. Prints nothing on success unless it installs.
#
#     bash tests/benches/setup-pyright.sh            # installs into ~/.cache/lambda-ls/pyright
#     LAMBDA_LS_PYRIGHT_CACHE=/some/dir bash tests/benches/setup-pyright.sh
set -euo pipefail

PYRIGHT_VERSION=1.1.414
AWS_LAMBDA_TYPING_VERSION=2.20.0

cache="${LAMBDA_LS_PYRIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lambda-ls/pyright}"
python="${PYTHON:-python3}"
mkdir -p "$cache"

server="$cache/node_modules/.bin/pyright-langserver"
installed_pyright=""
if [ -f "$cache/node_modules/pyright/package.json" ]; then
    installed_pyright="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$cache/node_modules/pyright/package.json" | head -1)"
fi
if [ "$installed_pyright" != "$PYRIGHT_VERSION" ] || [ ! -x "$server" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "setup-pyright.sh: npm is missing: install Node.js 18 or newer (e.g. apt-get install nodejs npm) and run again" >&2
        exit 1
    fi
    echo "setup-pyright.sh: installing pyright@$PYRIGHT_VERSION into $cache"
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "pyright@$PYRIGHT_VERSION" >/dev/null
fi

venv="$cache/venv"
have_typing() {
    [ -x "$venv/bin/python" ] &&
        [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-lambda-typing"))' 2>/dev/null)" = "$AWS_LAMBDA_TYPING_VERSION" ]
}
if ! have_typing; then
    if [ ! -x "$venv/bin/python" ]; then
        echo "setup-pyright.sh: creating a venv in $venv"
        "$python" -m venv "$venv" || {
            echo "setup-pyright.sh: '$python -m venv' failed: install the venv module (e.g. apt-get install python3-venv) and run again" >&2
            exit 1
        }
    fi
    echo "setup-pyright.sh: installing aws-lambda-typing==$AWS_LAMBDA_TYPING_VERSION into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "aws-lambda-typing==$AWS_LAMBDA_TYPING_VERSION"
    have_typing
fi
