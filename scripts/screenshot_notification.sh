#!/usr/bin/env bash
# A screenshot of a REAL SLA breach notification: `hilo sla watch` on a workspace whose
# conversation is about to breach, a real notification server (dunst) on an Xvfb display,
# everything on a private D-Bus session with its own keychain — nothing touches the
# user's desktop, bus or keychain. Writes docs/screenshot-breach-notification.png (or $1).
#
# Needs: xvfb, x11-utils, dunst, imagemagick, dbus,
# gnome-keyring (all installed by scripts/setup.sh), and a built `hilo` (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/screenshot-breach-notification.png}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac

if [ -z "${HILO_SCREENSHOT_INNER:-}" ]; then
  for tool in Xvfb xdpyinfo dunst /usr/bin/import dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "screenshot: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
  done
  [ -x target/debug/hilo ] || cargo build -q -p hilo-cli
  export HILO_SCREENSHOT_INNER=1
  exec dbus-run-session -- "$0" "$OUT"
fi

# Inside the private session bus from here on.
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A display nobody uses.
for n in $(seq 200 400); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then DISPLAY_NUM=$n; break; fi
done
export DISPLAY=":${DISPLAY_NUM:?no free X display}"
Xvfb "$DISPLAY" -screen 0 1280x720x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# The cache key goes to a private keychain (never the user's).
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" XDG_RUNTIME_DIR="$TMP/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/dunst" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'hilo' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

# dunst owns org.freedesktop.Notifications on this bus; notifications stay until taken.
cat >"$XDG_CONFIG_HOME/dunst/dunstrc" <<'EOF'
[global]
    monitor = 0
    follow = none
    width = 460
    height = 200
    origin = top-right
    offset = 24x24
    notification_limit = 5
    padding = 14
    horizontal_padding = 16
    frame_width = 2
    frame_color = "#c8cdd6"
    separator_height = 2
    gap_size = 10
    font = DejaVu Sans 11
    markup = full
    format = "<b>%s</b>\n%b\n<small>%a</small>"
    alignment = left
    word_wrap = yes
    corner_radius = 10
    show_indicators = no
    icon_position = off
[urgency_low]
    background = "#ffffff"
    foreground = "#1c2330"
    timeout = 0
[urgency_normal]
    background = "#fff8e6"
    foreground = "#5a3a00"
    frame_color = "#e0a526"
    timeout = 0
[urgency_critical]
    background = "#fdecec"
    foreground = "#7a1010"
    frame_color = "#c8322b"
    timeout = 0
EOF
dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc" >"$TMP/dunst.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q true && break
  sleep 0.1
done

# Claudio Pérez wrote on Facebook 4 min 54 s ago: his 5-minute first response breaches in 6 s.
WS="$TMP/workspace"
now_ms=$(($(date +%s%N) / 1000000))
demo_now=$((now_ms - 2 * 60 * 1000 + 6000))
unset LC_ALL LC_MESSAGES HILO_WORKSPACE
LANG=es_ES.UTF-8 target/debug/hilo --workspace "$WS" demo --customers 1 --now "$demo_now" --json >/dev/null
LANG=es_ES.UTF-8 target/debug/hilo --workspace "$WS" sla watch --duration 12 >"$TMP/alerts.jsonl" &
WATCH=$!
PIDS+=("$WATCH")

# Wait for the breach line, then for dunst to draw it.
for _ in $(seq 150); do grep -q '"level":"breached"' "$TMP/alerts.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q '"level":"breached"' "$TMP/alerts.jsonl" || { echo "screenshot: no breach was notified" >&2; cat "$TMP/alerts.jsonl" >&2; exit 1; }
sleep 1.2
mkdir -p "$(dirname "$OUT")"
# The top-right corner where dunst draws, as captured; only the empty root window around
# the bubbles (black on Xvfb) is painted light, by a flood fill from the corner.
/usr/bin/import -window root -crop 560x260+720+0 +repage "$TMP/screen.png"
/usr/bin/convert "$TMP/screen.png" -fill '#dfe4ec' -draw 'color 0,0 floodfill' "$OUT"
wait "$WATCH" || true
echo "screenshot: $OUT"
grep -h '"level"' "$TMP/alerts.jsonl" | sed 's/.*"title":"\([^"]*\)","body":"\([^"]*\)".*/  notified: \1 — \2/'
