//! An Xvfb display for the real app window.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use crate::wait_for;

pub struct Display {
    child: Child,
    /// Xvfb's end of `-displayfd`: kept open so a late write never meets a closed pipe.
    _displayfd: ChildStdout,
    pub number: u32,
}

impl Display {
    /// Starts Xvfb on a display number it picks itself (`-displayfd`): it skips numbers
    /// in use and clears lock files that dead servers left behind, so parallel runs and
    /// earlier killed runs never collide.
    pub fn start() -> Display {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed (apt-get install xvfb)");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line.trim().parse::<u32>().ok());
            let _ = tx.send((read, reader.into_inner()));
        });
        let (number, displayfd) = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok((Ok(Some(n)), fd)) => (n, fd),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Xvfb did not report its display number: {:?}", other.map(|(r, _)| r));
            }
        };
        wait_for("Xvfb to accept connections", Duration::from_secs(20), || {
            std::path::Path::new(&format!("/tmp/.X11-unix/X{number}")).exists().then_some(())
        });
        Display { child, _displayfd: displayfd, number }
    }

    pub fn env(&self) -> (String, String) {
        ("DISPLAY".into(), format!(":{}", self.number))
    }

    /// A screenshot of the whole screen, as X11 sees it (ImageMagick's `import`).
    pub fn screenshot(&self, path: &std::path::Path) -> bool {
        Command::new("/usr/bin/import")
            .env("DISPLAY", format!(":{}", self.number))
            .args(["-window", "root"])
            .arg(path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SIGTERM lets Xvfb remove its lock file and socket; SIGKILL would leave them.
        // The shell's own `kill`: procps may not be installed on a fresh machine.
        let terminated = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .is_ok_and(|s| s.success());
        if terminated {
            for _ in 0..50 {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
