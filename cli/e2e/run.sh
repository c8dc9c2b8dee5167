#!/usr/bin/env bash
# The end-to-end test: cspgate against a real Chromium (see README.md beside this file).
# Installs what it needs when missing (Debian's chromium, node and npm with apt-get;
# playwright-core with npm, into target/e2e-node), builds the CLI, and runs e2e.js on
# 127.0.0.1 only. Exit status: 0 when every row agrees with Chromium or is marked with its
# reason and the suggested policy holds; 1 otherwise; 2 when the test could not run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
playwright_version=1.65.2

apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "cspgate e2e: $* missing, and apt-get is not available as root to install it" >&2
        exit 2
    fi
    if [ -z "${apt_updated:-}" ]; then
        apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null || apt_install chromium
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm

deps="${CSPGATE_E2E_DEPS:-$root/target/e2e-node}"
if [ ! -f "$deps/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$deps"
    npm install --prefix "$deps" --no-save --no-audit --no-fund --silent \
        "playwright-core@$playwright_version" >/dev/null
fi

cargo build -q -p cspgate-cli --manifest-path "$root/Cargo.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PLAYWRIGHT_CORE="$deps/node_modules/playwright-core" CHROMIUM="$(command -v chromium)" \
    timeout 300 node "$here/e2e.js" "$root/target/debug/cspgate" "$work"
