#!/usr/bin/env bash
# Installs what the editor end-to-end test (tests/editor.rs → tests/editor/run.mjs) needs:
#   - Debian: chromium (driven by playwright-core), ripgrep (code-server's search binary),
#     libkrb5-dev (code-server builds the `kerberos` native module);
#   - code-server (VS Code in the browser) from npm, into a cache folder shared by every
#     checkout on this machine, so a second run does nothing;
#   - the npm dependencies of extension/ and tests/editor/ (from their lock files).
# Idempotent: each step checks first and returns at once when already done.
# LAMBDA_LS_SKIP_EDITOR=1 skips it all (the test then reports itself skipped).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

if [ "${LAMBDA_LS_SKIP_EDITOR:-}" = 1 ]; then
    echo "editor setup skipped: LAMBDA_LS_SKIP_EDITOR=1"
    exit 0
fi

CODE_SERVER_VERSION=4.99.4
# code-server 4.99.4 pins @vscode/ripgrep 1.15.11 (lib/vscode/npm-shrinkwrap.json), whose
# postinstall wants the release asset ripgrep-v13.0.0-10-<target>.tar.gz. It downloads that
# from outside the package registries, so we pre-seed the cache it checks first
# ($TMPDIR/vscode-ripgrep-cache-<version>/<asset>, see its lib/download.js) with Debian's rg.
RIPGREP_NPM_VERSION=1.15.11
RIPGREP_ASSET_VERSION=v13.0.0-10
cache="${LAMBDA_LS_EDITOR_CACHE:-$HOME/.cache/lambda-ls/editor}"
code_server_dir="$cache/code-server-$CODE_SERVER_VERSION"

step() { echo "-- editor setup: $*"; }

# 1. Debian packages.
missing=()
for pkg in chromium ripgrep libkrb5-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
        echo "error: Debian packages ${missing[*]} are missing and this is not root;" >&2
        echo "       install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. code-server, installed once into the cache.
if [ -x "$code_server_dir/node_modules/.bin/code-server" ] && [ -e "$code_server_dir/.installed" ]; then
    step "code-server $CODE_SERVER_VERSION already in $code_server_dir"
else
    step "installing code-server $CODE_SERVER_VERSION into $code_server_dir (a few minutes, once)"
    case "$(uname -m)" in
        x86_64) rg_target=x86_64-unknown-linux-musl ;;
        aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
        *) echo "error: no ripgrep target known for $(uname -m)" >&2; exit 1 ;;
    esac
    tmp_root="${TMPDIR:-/tmp}"
    rg_cache="$tmp_root/vscode-ripgrep-cache-$RIPGREP_NPM_VERSION"
    rg_asset="$rg_cache/ripgrep-$RIPGREP_ASSET_VERSION-$rg_target.tar.gz"
    mkdir -p "$rg_cache"
    rg_stage="$(mktemp -d)"
    cp "$(command -v rg)" "$rg_stage/rg"
    tar -czf "$rg_asset" -C "$rg_stage" rg
    rm -rf "$rg_stage"

    mkdir -p "$cache"
    staging="$(mktemp -d "$cache/code-server-install.XXXXXX")"
    echo '{ "name": "lambda-ls-editor-code-server", "private": true }' >"$staging/package.json"
    # code-server's postinstall runs `npm install` in lib/vscode, whose native modules
    # (node-pty, spdlog, kerberos, watcher, ripgrep) need their install scripts: allow them
    # for this one install (npm now blocks dependency scripts by default).
    if ! (cd "$staging" && npm_config_yes=true \
        npm_config_dangerously_allow_all_scripts=true \
        npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false \
        npm install --unsafe-perm --no-save "code-server@$CODE_SERVER_VERSION" \
        >"$staging.log" 2>&1); then
        echo "error: code-server install failed; its log:" >&2
        tail -n 60 "$staging.log" >&2
        rm -rf "$staging"
        exit 1
    fi
    rg_bin="$staging/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
    if [ ! -x "$rg_bin" ]; then
        echo "error: code-server installed without its ripgrep binary ($rg_bin)" >&2
        exit 1
    fi
    touch "$staging/.installed"
    rm -rf "$code_server_dir" "$staging.log"
    mv "$staging" "$code_server_dir"
fi

# 3. npm dependencies of the extension and of the test driver, from their lock files.
npm_ci_if_stale() {
    local dir="$1"
    local stamp="$dir/node_modules/.lambda-ls-lock-hash"
    local want
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ -e "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        step "${dir#"$repo"/} dependencies up to date"
        return
    fi
    step "npm ci in ${dir#"$repo"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" >"$stamp"
}
npm_ci_if_stale "$repo/extension"
npm_ci_if_stale "$repo/tests/editor"

step "ready: code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null || echo 'chromium ?')"
