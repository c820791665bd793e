#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, type checks, generated-bindings
# freshness, Rust tests (store, CLI against a real Secret Service), UI unit tests, and the
# end-to-end test of the real window under Xvfb through WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "UI: lint, type check, unit tests"
(cd ui && npm run lint && npm run check && npm run test)

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "build everything once (the e2e test launches target/debug/hilo-desktop)"
cargo build --workspace --all-targets

step "generated TypeScript bindings are fresh"
cargo test -q -p hilo-model >/dev/null
if [ -n "$(git status --porcelain -- ui/src/bindings 2>/dev/null)" ]; then
  git status --porcelain -- ui/src/bindings
  echo "ui/src/bindings is stale: run 'cargo test -p hilo-model' and commit the result" >&2
  exit 1
fi

step "Rust tests (unit, integration, CLI, end-to-end window)"
cargo test --workspace --no-fail-fast
