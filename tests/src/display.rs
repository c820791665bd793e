//! An Xvfb display for the real app window.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::wait_for;

pub struct Display {
    child: Child,
    pub number: u32,
}

impl Display {
    pub fn start() -> Display {
        let number = (90..190)
            .find(|n| {
                !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free X display number");
        let child = Command::new("Xvfb")
            .args([format!(":{number}").as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed (apt-get install xvfb)");
        wait_for("Xvfb to accept connections", Duration::from_secs(20), || {
            std::path::Path::new(&format!("/tmp/.X11-unix/X{number}")).exists().then_some(())
        });
        Display { child, number }
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
