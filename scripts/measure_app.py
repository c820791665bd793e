#!/usr/bin/env python3
"""Measures the real Hilo window on the demo workspace and takes a screenshot.

Starts Xvfb, a private D-Bus session with an unlocked gnome-keyring, WebKitWebDriver
(TAURI_WEBVIEW_AUTOMATION=true), launches hilo-desktop --demo on a fresh workspace,
opens Claudio Pérez's Facebook conversation, then reports:
  - time from launch to the inbox being ready (demo generation included),
  - memory of every process of the app (hilo-desktop, WebKitWebProcess,
    WebKitNetworkProcess): RSS summed, and PSS summed (shared pages counted once).
Usage: scripts/measure_app.py [--binary target/release/hilo-desktop] [--lang es|en]
                              [--screenshot docs/screenshot-timeline.png]
Standard library only.
"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def wait(what, fn, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    sys.exit(f"timed out waiting for {what}")

class Driver:
    def __init__(self, base): self.base = base
    def req(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=120) as resp:
            return json.load(resp).get("value")
    def js(self, sid, script):
        return self.req("POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})

def process_tree_memory(root_pid):
    """RSS and PSS (kB) of root_pid and every descendant, plus WebKit helpers of this session."""
    pids = set()
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
        except OSError:
            continue
        pids.add((int(p), ppid))
    children = {}
    for pid, ppid in pids:
        children.setdefault(ppid, []).append(pid)
    tree, stack = [], [root_pid]
    while stack:
        pid = stack.pop(); tree.append(pid); stack.extend(children.get(pid, []))
    rss = pss = 0; names = []
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"): rss += int(line.split()[1])
                    if line.startswith("Pss:"): pss += int(line.split()[1])
            with open(f"/proc/{pid}/comm") as f: names.append(f.read().strip())
        except OSError:
            pass
    return rss, pss, names

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/hilo-desktop")
    ap.add_argument("--lang", default="es")
    ap.add_argument("--screenshot")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="hilo-measure-")
    procs = []
    try:
        disp = next(n for n in range(120, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
        procs.append(subprocess.Popen(["Xvfb", f":{disp}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait("Xvfb", lambda: os.path.exists(f"/tmp/.X11-unix/X{disp}"))
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(bus)
        env = dict(os.environ, DISPLAY=f":{disp}", DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip(),
                   XDG_DATA_HOME=f"{tmp}/data", XDG_RUNTIME_DIR=f"{tmp}/run", TAURI_WEBVIEW_AUTOMATION="true")
        os.makedirs(f"{tmp}/data"); os.makedirs(f"{tmp}/run", mode=0o700)
        kr = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kr.stdin.write(b"measure"); kr.stdin.close(); procs.append(kr)
        wait("Secret Service", lambda: b"true" in subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"], env=env, capture_output=True).stdout)
        port = free_port()
        wd = subprocess.Popen(["WebKitWebDriver", f"--port={port}", "--host=127.0.0.1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(wd)
        d = Driver(f"http://127.0.0.1:{port}")
        wait("WebDriver", lambda: _ok(lambda: d.req("GET", "/status")))
        start = time.time()
        caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {
            "binary": binary, "args": ["--workspace", f"{tmp}/workspace", "--demo"]}}}}
        sid = d.req("POST", "/session", caps)["sessionId"]
        wait("app-ready", lambda: d.js(sid, "return !!document.querySelector('[data-testid=\"app-ready\"]')"))
        ready = time.time() - start
        d.js(sid, f"const s = document.querySelector('[data-testid=\"language-select\"]');"
                  f"s.value = '{args.lang}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true")
        d.js(sid, "document.querySelector('[data-testid=\"inbox-row\"][data-customer-name=\"Claudio Pérez\"]').click(); return true")
        wait("timeline", lambda: d.js(sid, "return document.querySelectorAll('[data-testid=\"timeline-item\"]').length > 3"))
        time.sleep(1.5)
        app = wait("hilo-desktop process", lambda: _pid_of("hilo-desktop", wd.pid))
        rss, pss, names = process_tree_memory(app)
        # WebKit's web and network processes are children of the app process.
        print(json.dumps({"binary": binary, "readySeconds": round(ready, 2),
                          "rssMiB": round(rss / 1024, 1), "pssMiB": round(pss / 1024, 1),
                          "processes": sorted(names)}, indent=2))
        if args.screenshot:
            subprocess.run(["/usr/bin/import", "-window", "root", args.screenshot], env=env, check=True)
            print(f"screenshot: {args.screenshot}")
        d.req("DELETE", f"/session/{sid}")
    finally:
        for p in reversed(procs):
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)

def _ok(fn):
    try:
        fn(); return True
    except Exception:
        return False

def _pid_of(name, parent):
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/comm") as f:
                    if f.read().strip() == name[:15]:
                        return int(p)
            except OSError:
                pass
    return None

if __name__ == "__main__":
    main()
