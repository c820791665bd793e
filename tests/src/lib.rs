//! Test harness shared by Hilo's black-box tests: real parts started on this machine.
//!
//! - [`KeyringSession`]: a private D-Bus session bus with gnome-keyring's Secret Service
//!   unlocked on it, so the real `keyring` code path runs without touching the user's keychain.
//! - [`Display`]: an Xvfb server for the real app window.
//! - [`WebDriver`]: WebKitWebDriver and a minimal W3C client for the Tauri webview.
//! - [`dovecot::Dovecot`] and [`smtp_sink::SmtpSink`]: a real IMAP server and an SMTP
//!   endpoint for the mailbox tests.
//!
//! Every process is killed on drop; each lives in its own temp directory.

pub mod chatwoot_sim;
pub mod display;
// Shared mailbox tests: a private dovecot and an SMTP sink.
pub mod dovecot;
pub mod keyring_session;
pub mod sim;
pub mod smtp_sink;
pub mod webdriver;

pub use display::Display;
pub use keyring_session::KeyringSession;
pub use webdriver::{Session, WebDriver};

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Polls `f` until it returns `Some`, or panics with `what` after `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `target/<profile>/NAME` next to the running test binary (`target/<profile>/deps/…`).
pub fn workspace_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target profile directory");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build --workspace --all-targets` (the README's test command does)",
        path.display()
    );
    path
}

/// Where tests leave screenshots and logs for a person to look at (git-ignored).
pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

/// Runs `command` to its end with `stdin` written to it (secrets are read from standard
/// input) and its output captured. A child that exits before reading is not an error.
pub fn run_with_stdin(command: &mut std::process::Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child =
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start the command");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("the command's output")
}

/// `binary` (a `hilo` build) on `workspace`, in the environment `envs` (the test's private
/// keychain session), never reading the developer's own `HILO_WORKSPACE`.
pub fn hilo_command<K, V>(
    binary: impl AsRef<std::ffi::OsStr>,
    envs: impl IntoIterator<Item = (K, V)>,
    workspace: &std::path::Path,
) -> std::process::Command
where
    K: AsRef<std::ffi::OsStr>,
    V: AsRef<std::ffi::OsStr>,
{
    let mut command = std::process::Command::new(binary);
    command.envs(envs).env_remove("HILO_WORKSPACE").arg("--workspace").arg(workspace);
    command
}
