//! A real dovecot IMAP server for the mailbox tests, private to one test: its own config
//! in a temp dir (loopback only, free ports, passwd-file users, maildirs under the temp
//! dir, no system paths), started with `dovecot -F -c CONF`, ready once IMAP greets,
//! stopped on drop. Runs as root (mail processes as `nobody`, as in CI) or as a normal
//! user (everything as that user). Mail is seeded with IMAP APPEND through [`ImapClient`],
//! a tiny blocking client that also lets tests look at a mailbox from outside.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::free_port;

/// The test CA that signed `server.pem` (CN=localhost, SAN localhost + 127.0.0.1).
pub fn test_ca_pem() -> Vec<u8> {
    include_bytes!("../fixtures/tls/ca.pem").to_vec()
}

fn dovecot_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("dovecot")).find(|p| p.is_file()));
    let found = on_path.or_else(|| Some(PathBuf::from("/usr/sbin/dovecot")).filter(|p| p.is_file()));
    found.unwrap_or_else(|| panic!("dovecot is not installed: run scripts/setup.sh (Debian package dovecot-imapd)"))
}

/// The name of a uid or gid in /etc/passwd or /etc/group.
fn name_of(file: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _ = f.next();
        (f.next()?.parse::<u32>().ok()? == id).then(|| name.to_owned())
    })
}

/// A running dovecot. Dropping it stops the server and removes its files.
pub struct Dovecot {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// Plain IMAP (STARTTLS offered when started with TLS).
    pub imap_port: u16,
    /// IMAP over TLS from the first byte, when started with TLS.
    pub imaps_port: Option<u16>,
    users: Vec<(String, String)>,
}

impl std::fmt::Debug for Dovecot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dovecot").field("imap_port", &self.imap_port).field("dir", &self.dir.path()).finish()
    }
}

impl Dovecot {
    /// Starts dovecot with these `(user, password)` accounts, plain IMAP only.
    pub fn start(users: &[(&str, &str)]) -> Dovecot {
        Dovecot::launch(users, false)
    }

    /// Also TLS: STARTTLS on `imap_port` and IMAPS on `imaps_port`, with the test
    /// certificate (trust [`test_ca_pem`]).
    pub fn start_with_tls(users: &[(&str, &str)]) -> Dovecot {
        Dovecot::launch(users, true)
    }

    fn launch(users: &[(&str, &str)], tls: bool) -> Dovecot {
        let dir = tempfile::Builder::new().prefix("hilo-dovecot-").tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        // Who we are decides who the mail processes run as.
        let probe = root.join("probe");
        std::fs::write(&probe, b"").expect("probe file");
        let meta = std::fs::metadata(&probe).expect("probe metadata");
        let (uid, gid) = if meta.uid() == 0 { (65534, 65534) } else { (meta.uid(), meta.gid()) };
        let user = name_of("/etc/passwd", uid).unwrap_or_else(|| panic!("uid {uid} has no name in /etc/passwd"));
        let group = name_of("/etc/group", gid);
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
        for sub in ["run", "state", "mail", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("dovecot dirs");
        }
        if meta.uid() == 0 {
            for sub in ["mail", "home"] {
                std::os::unix::fs::chown(root.join(sub), Some(uid), Some(gid)).expect("chown mail dirs");
            }
        }
        let passwd: String = users.iter().map(|(u, p)| format!("{u}:{{PLAIN}}{p}::::::\n")).collect();
        std::fs::write(root.join("passwd"), passwd).expect("passwd file");

        let imap_port = free_port();
        let imaps_port = tls.then(free_port);
        let p = |s: &str| root.join(s).display().to_string();
        let group_line = group.map(|g| format!("default_internal_group = {g}\n")).unwrap_or_default();
        // Without root, dovecot cannot chroot its login and anvil processes.
        let as_root = meta.uid() == 0;
        let chroot = if as_root { "" } else { "  chroot =\n" };
        let anvil = if as_root { String::new() } else { "service anvil {\n  chroot =\n}\n".to_owned() };
        let ssl = if tls {
            std::fs::write(root.join("server.pem"), include_bytes!("../fixtures/tls/server.pem")).expect("cert");
            std::fs::write(root.join("server.key"), include_bytes!("../fixtures/tls/server.key")).expect("key");
            format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\nssl_min_protocol = TLSv1.2\n",
                p("server.pem"),
                p("server.key")
            )
        } else {
            "ssl = no\n".to_owned()
        };
        let imaps = match imaps_port {
            Some(port) => {
                format!("  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {port}\n    ssl = yes\n  }}\n")
            }
            None => "  inet_listener imaps {\n    port = 0\n  }\n".to_owned(),
        };
        let config = format!(
            "# Written by hilo-tests for one test run.\n\
             base_dir = {run}\n\
             state_dir = {state}\n\
             instance_name = hilo-test-{imap_port}\n\
             log_path = {log}\n\
             protocols = imap\n\
             listen = 127.0.0.1\n\
             {ssl}\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             default_login_user = {user}\n\
             default_internal_user = {user}\n\
             {group_line}\
             first_valid_uid = 0\n\
             mail_location = maildir:{mail}/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {passwd}\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={home}/%u\n}}\n\
             service imap-login {{\n{chroot}  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n{imaps}}}\n\
             {anvil}",
            run = p("run"),
            state = p("state"),
            log = p("dovecot.log"),
            mail = p("mail"),
            passwd = p("passwd"),
            home = p("home"),
        );
        let conf = root.join("dovecot.conf");
        std::fs::write(&conf, config).expect("dovecot.conf");
        let child = Command::new(dovecot_binary())
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dovecot");
        let mut d = Dovecot {
            dir,
            child: Some(child),
            imap_port,
            imaps_port,
            users: users.iter().map(|(u, p)| ((*u).to_owned(), (*p).to_owned())).collect(),
        };
        d.wait_ready();
        d
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.imap_port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                if BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("* OK") {
                    return;
                }
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                let mut err = String::new();
                if let Some(mut e) = self.child.as_mut().and_then(|c| c.stderr.take()) {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("dovecot exited ({status}): {err}\n{}", self.log());
            }
            assert!(start.elapsed() < Duration::from_secs(20), "dovecot did not answer IMAP in 20 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// dovecot's log so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn password(&self, user: &str) -> String {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| panic!("{user} is not a user of this dovecot"))
    }

    /// A logged-in plain IMAP connection as `user`.
    pub fn client(&self, user: &str) -> ImapClient {
        ImapClient::login(self.imap_port, user, &self.password(user)).unwrap_or_else(|e| panic!("{e}\n{}", self.log()))
    }

    /// Seeds one message with IMAP APPEND.
    pub fn append(&self, user: &str, mailbox: &str, raw: &str) {
        self.client(user).append(mailbox, "()", raw.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{}", self.log()));
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets the master stop its login and mail processes too.
            // (The shell's builtin kill: no procps needed.)
            let _ = Command::new("sh").arg("-c").arg(format!("kill -TERM {}", child.id())).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A minimal blocking IMAP client (LOGIN, commands with literals in replies, APPEND).
pub struct ImapClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl std::fmt::Debug for ImapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapClient").field("tag", &self.tag).finish_non_exhaustive()
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl ImapClient {
    pub fn login(port: u16, user: &str, password: &str) -> Result<ImapClient, String> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("IMAP connect: {e}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        let mut c = ImapClient { reader: BufReader::new(stream), writer, tag: 0 };
        let greeting = c.line()?;
        if !greeting.starts_with("* OK") {
            return Err(format!("IMAP greeting: {greeting}"));
        }
        c.command(&format!("LOGIN {} {}", quote(user), quote(password)))?;
        Ok(c)
    }

    fn line(&mut self) -> Result<String, String> {
        let mut buf = Vec::new();
        self.reader.read_until(b'\n', &mut buf).map_err(|e| format!("IMAP read: {e}"))?;
        if buf.is_empty() {
            return Err("IMAP connection closed".into());
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Runs a command; returns the untagged lines (literals inlined) or the failure.
    pub fn command(&mut self, cmd: &str) -> Result<Vec<String>, String> {
        self.tag += 1;
        let tag = format!("T{}", self.tag);
        self.writer.write_all(format!("{tag} {cmd}\r\n").as_bytes()).map_err(|e| format!("IMAP write: {e}"))?;
        self.read_until_tagged(&tag, cmd)
    }

    fn read_until_tagged(&mut self, tag: &str, cmd: &str) -> Result<Vec<String>, String> {
        let mut lines = Vec::new();
        loop {
            let mut line = self.line()?;
            // A literal: `{n}` at the end of the line, then n raw bytes, then the rest.
            while let Some(n) = line
                .trim_end()
                .strip_suffix('}')
                .and_then(|l| l.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            {
                let mut buf = vec![0u8; n];
                self.reader.read_exact(&mut buf).map_err(|e| format!("IMAP literal: {e}"))?;
                line.push_str(&String::from_utf8_lossy(&buf));
                line.push_str(&self.line()?);
            }
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                return if rest.starts_with("OK") {
                    Ok(lines)
                } else {
                    Err(format!("IMAP {cmd:?} failed: {}", rest.trim()))
                };
            }
            lines.push(line);
        }
    }

    /// APPEND `raw` to `mailbox` with `flags` such as `()` or `(\Seen)`.
    pub fn append(&mut self, mailbox: &str, flags: &str, raw: &[u8]) -> Result<(), String> {
        self.tag += 1;
        let tag = format!("T{}", self.tag);
        let head = format!("{tag} APPEND {} {flags} {{{}}}\r\n", quote(mailbox), raw.len());
        self.writer.write_all(head.as_bytes()).map_err(|e| format!("IMAP write: {e}"))?;
        let go = self.line()?;
        if !go.starts_with('+') {
            return Err(format!("IMAP APPEND refused: {}", go.trim()));
        }
        self.writer
            .write_all(raw)
            .and_then(|()| self.writer.write_all(b"\r\n"))
            .map_err(|e| format!("IMAP write: {e}"))?;
        self.read_until_tagged(&tag, "APPEND").map(|_| ())
    }

    /// The UIDVALIDITY of a folder (STATUS).
    pub fn uid_validity(&mut self, mailbox: &str) -> Result<u32, String> {
        let lines = self.command(&format!("STATUS {} (UIDVALIDITY)", quote(mailbox)))?;
        lines
            .iter()
            .find_map(|l| {
                l.split("UIDVALIDITY ")
                    .nth(1)
                    .and_then(|r| r.trim_end_matches([')', '\r', '\n']).split_whitespace().next()?.parse().ok())
            })
            .ok_or_else(|| format!("no UIDVALIDITY in {lines:?}"))
    }

    /// The raw headers of every message in `mailbox`, in order.
    pub fn headers(&mut self, mailbox: &str) -> Result<Vec<String>, String> {
        self.command(&format!("SELECT {}", quote(mailbox)))?;
        let lines = self.command("FETCH 1:* (BODY.PEEK[HEADER])")?;
        Ok(lines.into_iter().filter(|l| l.contains("FETCH")).collect())
    }
}
