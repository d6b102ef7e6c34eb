#!/usr/bin/env bash
# The AWS suites' local emulator: moto's server (PyPI `moto[server]`), which the suites
# start on 127.0.0.1 themselves, and cbor2 for its CloudWatch CBOR bridge
# (tests/aws_emulator/moto_server.py). Quick when already installed.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "aws.sh: $python not found; installing Debian's python3" >&2
    apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi
"$python" -c "import moto.server, flask, flask_cors, cbor2" 2>/dev/null && exit 0

if ! "$python" -m pip --version >/dev/null 2>&1; then
    "$python" -m ensurepip --upgrade >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }
fi
echo "aws.sh: installing moto[server] and cbor2"
pip=("$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
# A system Python marked externally managed (PEP 668) needs the explicit override.
packages=("moto[server]>=5,<6" "cbor2>=5,<7")
"${pip[@]}" "${packages[@]}" 2>/dev/null || "${pip[@]}" --break-system-packages "${packages[@]}"
"$python" -c "import moto.server, cbor2"
