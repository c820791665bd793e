//! A private D-Bus session with an unlocked gnome-keyring (Secret Service).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::wait_for;

pub struct KeyringSession {
    bus: Child,
    keyring: Option<Child>,
    address: String,
    dir: TempDir,
}

impl KeyringSession {
    /// Starts `dbus-daemon --session` and `gnome-keyring-daemon --unlock` on it.
    pub fn start() -> KeyringSession {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["data", "runtime", "config"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join("runtime"), std::fs::Permissions::from_mode(0o700)).ok();
        }
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon must be installed (apt-get install dbus)");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().expect("stdout")).read_line(&mut line).expect("bus address");
        let address = line.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let mut session = KeyringSession { bus, keyring: None, address, dir };
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(session.envs())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon must be installed (apt-get install gnome-keyring)");
        {
            let mut stdin = keyring.stdin.take().expect("stdin");
            stdin.write_all(b"hilo-test-password").expect("unlock password");
        }
        session.keyring = Some(keyring);
        let envs = session.envs();
        wait_for("the Secret Service on the private bus", Duration::from_secs(20), || {
            let out = Command::new("dbus-send")
                .envs(envs.clone())
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout).contains("boolean true").then_some(())
        });
        session
    }

    /// Environment a child needs to use this bus and keychain (and nothing of the user's).
    pub fn envs(&self) -> Vec<(String, String)> {
        let p = self.dir.path();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("XDG_DATA_HOME".into(), p.join("data").display().to_string()),
            ("XDG_RUNTIME_DIR".into(), p.join("runtime").display().to_string()),
            ("XDG_CONFIG_HOME".into(), p.join("config").display().to_string()),
        ]
    }

    /// Runs `secret-tool ARGS` on this session (libsecret-tools), returning stdout.
    pub fn secret_tool(&self, args: &[&str]) -> String {
        let out = Command::new("secret-tool")
            .envs(self.envs())
            .args(args)
            .output()
            .expect("secret-tool must be installed (apt-get install libsecret-tools)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        if let Some(k) = self.keyring.as_mut() {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
