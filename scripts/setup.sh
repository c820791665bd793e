#!/usr/bin/env bash
# Installs what Hilo needs to build, run and test on Debian/Ubuntu (apt), then the UI's
# npm packages. Other systems: see README.md ("Other platforms"). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build
  build-essential pkg-config libssl-dev libdbus-1-dev file
  # Tauri 2 on Linux (WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  # the real window in tests: Xvfb + WebDriver; screenshots
  xvfb x11-utils webkit2gtk-driver imagemagick
  # D-Bus session + Secret Service keychain (private sessions in tests)
  dbus dbus-x11 at-spi2-core gnome-keyring libsecret-tools keyutils
  # a real IMAP server for the mailbox tests
  dovecot-imapd
  # SLA: a real notification server for scripts/screenshot_notification.sh
  dunst
)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  echo "setup: no apt-get here; install the equivalents of: ${APT_PACKAGES[*]} (see README.md)" >&2
fi

command -v cargo >/dev/null || { echo "setup: Rust (cargo) 1.95 or newer is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20 and npm are required" >&2; exit 1; }

# The UI is embedded into the desktop binary at compile time: build it first.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
(cd ui && npm run build)
