#!/usr/bin/env bash
# Tools the packaging tests and benchmark use: uv (the fast dependency installer; pip is
# the fallback and is tested too) and Info-ZIP's zip (the benchmark's baseline).
set -euo pipefail
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check uv
fi
if ! command -v zip >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq zip >/dev/null
    else
        echo "note: zip (Info-ZIP) is missing; only the packaging benchmark needs it" >&2
    fi
fi
