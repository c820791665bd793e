//! `hilo accounts add email`, `hilo sync` and `hilo reply` against a real dovecot and an
//! SMTP sink started here, with the password in a real (private) Secret Service.

use std::path::Path;

use hilo_tests::dovecot::Dovecot;
use hilo_tests::smtp_sink::{Delivery, SinkConfig, SmtpSink};
use serde_json::Value;

use super::{hilo_with_stdin, region_json};

const SUPPORT: &str = "support@example.com";
const PASSWORD: &str = "buzon-imap-9d2c";
const CLAUDIO: &str = "claudio.perez@example.com";

fn add_account(workspace: &Path, name: &str, imap: u16, smtp: u16, password: &str) {
    let (imap, smtp) = (format!("127.0.0.1:{imap}"), format!("127.0.0.1:{smtp}"));
    let args = [
        "accounts",
        "add",
        "email",
        "--name",
        name,
        "--imap",
        &imap,
        "--smtp",
        &smtp,
        "--user",
        SUPPORT,
        "--password-stdin",
        "--security",
        "none",
    ];
    let out = hilo_with_stdin(workspace, &args, &format!("{password}\n"));
    assert!(out.status.success(), "add email: {}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains(password), "the password is never printed");
}

#[test]
fn mailbox_account_sync_reply_and_failures_from_the_command_line() {
    let dovecot = Dovecot::start(&[(SUPPORT, PASSWORD), (CLAUDIO, "claudio")]);
    let sink = SmtpSink::start(SinkConfig {
        credentials: Some((SUPPORT.into(), PASSWORD.into())),
        delivery: Some(Delivery { imap_port: dovecot.imap_port, users: vec![(CLAUDIO.into(), "claudio".into())] }),
        ..SinkConfig::default()
    });
    dovecot.append(
        SUPPORT,
        "INBOX",
        &format!(
            "Message-ID: <pedido-1@example.com>\r\nFrom: \"Claudio Pérez\" <{CLAUDIO}>\r\nTo: {SUPPORT}\r\n\
Subject: Mi pedido no llegó\r\nDate: Mon, 3 Mar 2025 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hola, <img src=\"https://tracker.example/p.gif\">mi pedido no llegó.<script>alert(1)</script></p>\r\n"
        ),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path();
    add_account(ws, "Buzón", dovecot.imap_port, sink.port, PASSWORD);

    let synced = region_json(ws, &["sync", "--once", "--json"]);
    assert_eq!(synced[0]["account"], "Buzón", "{synced}");
    assert_eq!(synced[0]["messages"], 1, "{synced}");
    let convs = region_json(ws, &["conversations", "--status", "all", "--json"]);
    assert_eq!(convs.as_array().map(Vec::len), Some(1), "{convs}");
    assert_eq!(convs[0]["channel"], "email");
    let id = convs[0]["id"].as_i64().expect("conversation id");
    let timeline = region_json(ws, &["timeline", "--customer", "Claudio.Perez@example.com", "--json"]);
    assert_eq!(timeline["customer"]["name"], "Claudio Pérez", "the sender's address is the customer: {timeline}");
    let text = timeline.to_string();
    assert!(
        text.contains("mi pedido no llegó") && !text.contains("<script") && !text.contains("tracker.example"),
        "{text}"
    );

    let sent = region_json(ws, &["reply", &id.to_string(), "Hola Claudio, va en camino", "--json"]);
    assert_eq!(sent["state"], "delivered", "{sent}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec![CLAUDIO.to_owned()]);
    assert_eq!(mails[0].header("In-Reply-To").as_deref(), Some("<pedido-1@example.com>"));
    assert_eq!(mails[0].header("References").as_deref(), Some("<pedido-1@example.com>"));
    let key = sent["idempotencyKey"].as_str().expect("key");
    assert_eq!(mails[0].header("Message-ID"), Some(format!("<{key}@example.com>")));
    region_json(ws, &["sync", "--once", "--json"]);
    let timeline = region_json(ws, &["timeline", "--customer", CLAUDIO, "--json"]);
    let replies = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["text"] == "Hola Claudio, va en camino")
        .count();
    assert_eq!(replies, 1, "the reply shows once after its echo is synced: {timeline}");

    let listed = region_json(ws, &["accounts", "list", "--json"]).to_string();
    assert!(listed.contains("Buzón") && listed.contains("idle") && !listed.contains(PASSWORD), "{listed}");

    // A wrong password: the error names the account and says what to check.
    add_account(ws, "Malo", dovecot.imap_port, sink.port, "wrong-password");
    let out = hilo_with_stdin(ws, &["sync", "--once", "--account", "Malo"], "");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Malo") && said.contains("refused the login"), "{said}");

    // A dead server: offline, named, and a queued reply stays queued.
    let (dead_imap, dead_smtp) = (hilo_tests::free_port(), hilo_tests::free_port());
    add_account(ws, "Buzón", dead_imap, dead_smtp, PASSWORD);
    let out = hilo_with_stdin(ws, &["reply", &id.to_string(), "Otra respuesta", "--json"], "");
    assert!(out.status.success(), "queueing works with the server down: {}", String::from_utf8_lossy(&out.stderr));
    let queued: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(queued["state"], "queued", "{queued}");
    let out = hilo_with_stdin(ws, &["sync", "--once", "--account", "Buzón"], "");
    assert!(!out.status.success(), "a sync against a dead server fails visibly");
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Buzón") && said.contains("offline") && said.contains("connection refused"), "{said}");
    let waiting = region_json(ws, &["outbox", "--json"]);
    assert_eq!(waiting.as_array().map(Vec::len), Some(1), "nothing lost: {waiting}");
    assert_eq!(sink.messages().len(), 1, "nothing sent while down");

    for entry in std::fs::read_dir(ws).expect("workspace") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "no file holds the password");
    }
}
