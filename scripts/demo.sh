#!/usr/bin/env bash
# Sets up, builds and starts Hilo on the populated demo workspace.
# The workspace lives in $HILO_WORKSPACE (default: ~/.local/share/hilo/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build -p hilo-desktop
WORKSPACE="${HILO_WORKSPACE:-${XDG_DATA_HOME:-$HOME/.local/share}/hilo/demo}"
echo "Starting Hilo on the demo workspace in $WORKSPACE"
exec ./target/debug/hilo-desktop --workspace "$WORKSPACE" --demo "$@"
