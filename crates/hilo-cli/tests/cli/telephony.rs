//! `hilo accounts`, `hilo telephony listen`, `hilo calls` and `hilo call` against the
//! AMI / ESL simulators and the CTI poster, with secrets in a real (private) Secret
//! Service and screen-pops received as real `Notify` calls by a stand-in notification
//! daemon.
//!
//! These tests use their own private bus and keychain: the SLA tests own the
//! notification name on the shared one and count what it receives.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_lite::StreamExt;
use hilo_tests::KeyringSession;
use hilo_tests::sim::ami::{InboundScript, inbound_flow};
use hilo_tests::sim::cti::post_json;
use hilo_tests::sim::{AmiSim, EslSim, OriginateScript};
use serde_json::{Value, json};

const AMI_SECRET: &str = "s3cr3t-AMI-4711";
const ESL_PASSWORD: &str = "ClueCon-but-longer";
const CTI_TOKEN: &str = "tok-9f8e7d6c5b4a";

type Inbox = Arc<Mutex<Vec<(String, String)>>>;

struct Session {
    keyring: KeyringSession,
    notifications: Inbox,
}

fn session() -> &'static Session {
    static SESSION: OnceLock<Session> = OnceLock::new();
    SESSION.get_or_init(|| {
        let keyring = KeyringSession::start();
        let address = keyring
            .envs()
            .into_iter()
            .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
            .map(|(_, v)| v)
            .expect("the private session's address");
        Session { notifications: serve_notifications(address), keyring }
    })
}

/// Owns `org.freedesktop.Notifications` and records (summary, body) of every `Notify`.
fn serve_notifications(address: String) -> Inbox {
    let inbox: Inbox = Arc::default();
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let recorded = inbox.clone();
    std::thread::spawn(move || {
        zbus::block_on(async move {
            let conn =
                zbus::connection::Builder::address(address.as_str()).build().await.expect("connect to the private bus");
            conn.request_name("org.freedesktop.Notifications").await.expect("own the notifications name");
            ready_tx.send(()).expect("signal ready");
            let mut stream = zbus::MessageStream::from(&conn);
            let mut next_id = 0u32;
            while let Some(Ok(msg)) = stream.next().await {
                let header = msg.header();
                if header.message_type() != zbus::message::Type::MethodCall
                    || header.member().is_none_or(|m| m.as_str() != "Notify")
                {
                    continue;
                }
                type NotifyArgs =
                    (String, u32, String, String, String, Vec<String>, HashMap<String, zbus::OwnedVariant>, i32);
                let (_app, _replaces, _icon, summary, body, _actions, _hints, _timeout): NotifyArgs =
                    msg.body().deserialize().expect("Notify arguments as the spec defines them");
                recorded.lock().expect("inbox").push((summary, body));
                next_id += 1;
                conn.reply(&header, &(next_id,)).await.expect("reply to Notify");
            }
        });
    });
    ready.recv_timeout(Duration::from_secs(20)).expect("the stand-in daemon owns the name");
    inbox
}

fn command(workspace: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hilo"));
    c.envs(session().keyring.envs())
        .env_remove("HILO_WORKSPACE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "es_ES.UTF-8")
        .env("HILO_DEFAULT_REGION", "ES")
        .arg("--workspace")
        .arg(workspace)
        .args(args);
    c
}

fn run(workspace: &Path, args: &[&str], stdin: &str) -> Output {
    hilo_tests::run_with_stdin(&mut command(workspace, args), stdin)
}

fn ok(workspace: &Path, args: &[&str], stdin: &str) -> Value {
    let out = run(workspace, args, stdin);
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("hilo {args:?} printed invalid JSON: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The secret stored under an account's keychain entry (as `hilo accounts list` names it).
fn keychain(entry: &str) -> String {
    session().keyring.secret_tool(&["lookup", "service", "dev.hilo.desktop", "username", entry])
}

fn add_ami(dir: &Path, name: &str, port: u16, extra: &[&str]) -> Value {
    add_ami_with_secret(dir, name, port, AMI_SECRET, extra)
}

fn add_ami_with_secret(dir: &Path, name: &str, port: u16, secret: &str, extra: &[&str]) -> Value {
    let port = port.to_string();
    let mut args = vec![
        "accounts",
        "add",
        "ami",
        "--name",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--username",
        "hilo",
        "--secret-stdin",
        "--endpoint",
        "PJSIP/1986",
        "--json",
    ];
    args.extend_from_slice(extra);
    ok(dir, &args, &format!("{secret}\n"))
}

fn listen(dir: &Path, secs: u32) -> Child {
    command(dir, &["telephony", "listen", "--duration", &secs.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the listener")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

#[test]
fn accounts_keep_their_secrets_in_the_keychain_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ami = add_ami(dir.path(), "pbx", 5038, &[]);
    assert_eq!((ami["kind"].as_str(), ami["hasSecret"].as_bool()), (Some("ami"), Some(true)), "{ami}");
    assert_eq!(ami["config"]["endpoint"], "PJSIP/1986");
    let entry = ami["keychainEntry"].as_str().expect("the keychain entry is named").to_owned();
    assert_eq!(keychain(&entry), AMI_SECRET, "the secret is in the keychain, without the newline echo adds");

    // Another workspace on the same desktop with an account of the same name keeps its own
    // secret: neither reads nor overwrites this one.
    let other = tempfile::tempdir().expect("temp dir");
    let twin = add_ami_with_secret(other.path(), "pbx", 5038, "the-other-workspace-secret", &[]);
    let twin_entry = twin["keychainEntry"].as_str().expect("the keychain entry is named").to_owned();
    assert_ne!(twin_entry, entry, "one keychain entry per workspace");
    assert_eq!(keychain(&twin_entry), "the-other-workspace-secret");
    assert_eq!(keychain(&entry), AMI_SECRET, "the first workspace's secret is untouched");
    ok(other.path(), &["accounts", "remove", "pbx", "--json"], "");
    assert_eq!(keychain(&entry), AMI_SECRET, "removing the twin leaves this workspace's secret");
    ok(
        dir.path(),
        &[
            "accounts",
            "add",
            "esl",
            "--name",
            "fs",
            "--host",
            "127.0.0.1",
            "--password-stdin",
            "--endpoint",
            "user/1000",
            "--json",
        ],
        ESL_PASSWORD,
    );
    ok(
        dir.path(),
        &[
            "accounts",
            "add",
            "cti-webhook",
            "--name",
            "cti",
            "--listen",
            "127.0.0.1:18089",
            "--token-stdin",
            "--extension",
            "1986",
            "--json",
        ],
        CTI_TOKEN,
    );
    let list = run(dir.path(), &["accounts", "list", "--json"], "");
    let listed: Value = serde_json::from_slice(&list.stdout).expect("JSON");
    let kinds: Vec<&str> = listed.as_array().expect("array").iter().filter_map(|a| a["kind"].as_str()).collect();
    assert_eq!(kinds.len(), 3, "{listed}");
    assert!(listed.as_array().expect("array").iter().all(|a| a["hasSecret"] == true), "{listed}");
    for secret in [AMI_SECRET, ESL_PASSWORD, CTI_TOKEN] {
        assert!(!text(&list).contains(secret), "`accounts list` never shows a secret");
        for file in ["workspace.json", "hilo.db", "hilo.db-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{file} never holds a secret");
        }
    }

    let refused = [
        (
            vec!["accounts", "add", "ami", "--name", "x", "--host", "h", "--username", "u", "--endpoint", "PJSIP/1"],
            "s",
            "--secret-stdin",
        ),
        (
            vec![
                "accounts",
                "add",
                "ami",
                "--name",
                "y",
                "--host",
                "h",
                "--username",
                "u",
                "--secret-stdin",
                "--endpoint",
                "PJSIP/1",
            ],
            "",
            "no AMI secret",
        ),
        (
            vec![
                "accounts",
                "add",
                "ami",
                "--name",
                "pbx",
                "--host",
                "h",
                "--username",
                "u",
                "--secret-stdin",
                "--endpoint",
                "PJSIP/1",
            ],
            "s",
            "already exists",
        ),
        (
            vec![
                "accounts",
                "add",
                "cti-webhook",
                "--name",
                "z",
                "--listen",
                "0.0.0.0:9000",
                "--token-stdin",
                "--extension",
                "1",
            ],
            "t",
            "loopback only",
        ),
    ];
    for (args, stdin, says) in refused {
        let out = run(dir.path(), &args, stdin);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }

    let removed = ok(dir.path(), &["accounts", "remove", "pbx", "--json"], "");
    assert_eq!(removed["name"], "pbx");
    assert_eq!(keychain(&entry), "", "removing an account removes its secret");
    let out = run(dir.path(), &["accounts", "remove", "pbx"], "");
    assert_eq!(out.status.code(), Some(3), "not found: {}", text(&out));
}

#[test]
fn listen_follows_ami_and_esl_stores_calls_and_pops_claudio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = ok(dir.path(), &["demo", "--customers", "20", "--json"], "");
    let claudio = demo["claudioCustomerId"].as_i64().expect("Claudio's id");
    let ami = AmiSim::start("hilo", AMI_SECRET);
    let esl = EslSim::start(ESL_PASSWORD);
    add_ami(dir.path(), "pbx-listen", ami.port(), &[]);
    let esl_port = esl.port().to_string();
    ok(
        dir.path(),
        &[
            "accounts",
            "add",
            "esl",
            "--name",
            "fs-listen",
            "--host",
            "127.0.0.1",
            "--port",
            &esl_port,
            "--password-stdin",
            "--endpoint",
            "user/1000",
            "--json",
        ],
        ESL_PASSWORD,
    );
    let before = session().notifications.lock().expect("inbox").len();
    let listener = listen(dir.path(), 8);
    assert!(ami.wait_logins(1, Duration::from_secs(20)), "the listener logs in to AMI");
    assert!(esl.wait_logins(1, Duration::from_secs(20)), "and to the event socket");

    let answered = inbound_flow(InboundScript::Answered, &ami.next_id(), "600123456");
    ami.play(&answered);
    let stranger = inbound_flow(InboundScript::CallerCancels, &ami.next_id(), "+34911222333");
    ami.play(&stranger);
    let busy = hilo_tests::sim::esl::inbound_flow(InboundScript::Busy, &esl.next_id(), "+34600123456");
    esl.play(&busy);

    let out = listener.wait_with_output().expect("listener output");
    assert!(out.status.success(), "the listener ends cleanly after --duration: {}", text(&out));
    let lines = json_lines(&out);
    let pops: Vec<&Value> = lines.iter().filter(|l| l["type"] == "screenPop").collect();
    let pop_texts: Vec<&str> = pops.iter().filter_map(|p| p["text"].as_str()).collect();
    assert!(
        pop_texts.contains(&"Llamada entrante · Claudio Pérez · 1 conversación abierta"),
        "the agent sees who calls, in Spanish: {pop_texts:?}"
    );
    assert!(pop_texts.contains(&"Llamada entrante · +34 911 22 23 33 · cliente desconocido"), "{pop_texts:?}");
    let stranger_pop = pops.iter().find(|p| p["callRef"] == stranger.call_ref.as_str()).expect("stranger's pop");
    assert_eq!(stranger_pop["offerCreateCustomer"], true, "an unknown caller can become a customer");
    assert!(
        lines.iter().any(|l| l["type"] == "link" && l["state"] == "up" && l["account"] == "fs-listen"),
        "{lines:?}"
    );
    let shown = session().notifications.lock().expect("inbox")[before..].to_vec();
    assert!(
        shown.contains(&("Llamada entrante".to_owned(), "Claudio Pérez · 1 conversación abierta".to_owned())),
        "a real desktop notification through D-Bus: {shown:?}"
    );
    let count = |body: &str| shown.iter().filter(|(_, b)| b == body).count();
    assert_eq!(
        (count("Claudio Pérez · 1 conversación abierta"), count("+34 911 22 23 33 · cliente desconocido")),
        (2, 1),
        "one notification per ringing call (other tests share the bus): {shown:?}"
    );
    for line in &lines {
        assert!(!line.to_string().contains(AMI_SECRET) && !line.to_string().contains(ESL_PASSWORD));
    }

    let calls = ok(dir.path(), &["calls", "--json"], "");
    let find = |call_ref: &str| {
        calls.as_array().expect("array").iter().find(|c| c["callRef"] == call_ref).cloned().expect("stored call")
    };
    let c = find(&answered.call_ref);
    for key in [
        "id",
        "direction",
        "from",
        "to",
        "agent",
        "outcome",
        "startedAt",
        "answeredAt",
        "endedAt",
        "durationSecs",
        "talkSecs",
        "hangupCause",
        "customerId",
    ] {
        assert!(c.get(key).is_some(), "`hilo calls --json` has {key}: {c}");
    }
    assert_eq!(c["outcome"], "answered");
    assert_eq!(c["from"], "+34600123456");
    assert_eq!(c["agent"], "PJSIP/1986");
    assert_eq!((c["durationSecs"].as_i64(), c["talkSecs"].as_i64()), (Some(65), Some(60)));
    assert_eq!(c["customerId"].as_i64(), Some(claudio));
    assert_eq!(find(&stranger.call_ref)["outcome"], "missed");
    let b = find(&busy.call_ref);
    assert_eq!((b["outcome"].as_str(), b["hangupCause"].as_str()), (Some("busy"), Some("USER_BUSY")));

    let callbacks = ok(dir.path(), &["calls", "--callbacks", "--json"], "");
    assert!(
        callbacks.as_array().expect("array").iter().any(|i| i["customerId"].as_i64() == Some(claudio)),
        "Claudio's busy call after the answered one asks for a callback: {callbacks}"
    );
}

#[test]
fn call_rings_the_agent_phone_then_dials_the_customer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ami = AmiSim::start("hilo", AMI_SECRET);
    add_ami(dir.path(), "pbx-call", ami.port(), &[]);
    let placed = ok(dir.path(), &["call", "600 123 456", "--json"], "");
    assert_eq!(
        (placed["status"].as_str(), placed["dialed"].as_str()),
        (Some("connected"), Some("+34600123456")),
        "{placed}"
    );
    let originate = ami
        .actions()
        .into_iter()
        .find(|a| a.iter().any(|(k, v)| k == "Action" && v == "Originate"))
        .expect("an Originate");
    let get = |k: &str| originate.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(get("Channel").as_deref(), Some("PJSIP/1986"));
    assert_eq!(get("Exten").as_deref(), Some("+34600123456"));
    assert_eq!(get("Async").as_deref(), Some("true"));
    assert_eq!(get("ChannelId"), placed["callRef"].as_str().map(str::to_owned));

    ami.set_originate(OriginateScript::AgentNoAnswer);
    let out = run(dir.path(), &["call", "600123456"], "");
    assert!(!out.status.success(), "a call that never connected is an error for scripts");
    assert!(text(&out).contains("not connected (failed, cause 19)"), "{}", text(&out));

    add_ami(dir.path(), "pbx-call-00", ami.port(), &["--dial-prefix", "00"]);
    let out = run(dir.path(), &["call", "600123456"], "");
    assert!(text(&out).contains("pick one with --account"), "two accounts can dial: {}", text(&out));
    ami.set_originate(OriginateScript::Answer);
    let placed = ok(dir.path(), &["call", "600123456", "--account", "pbx-call-00", "--json"], "");
    assert_eq!(placed["dialed"], "0034600123456", "the account's dial prefix replaces +");
    let out = run(dir.path(), &["call", "not a number", "--account", "pbx-call"], "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_cti_webhook_records_what_a_zammad_pbx_posts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = hilo_tests::free_port();
    let listen_at = format!("127.0.0.1:{port}");
    ok(
        dir.path(),
        &[
            "accounts",
            "add",
            "cti-webhook",
            "--name",
            "cti-hook",
            "--listen",
            &listen_at,
            "--token-stdin",
            "--extension",
            "1986",
            "--block",
            "+34 911 000 999",
            "--json",
        ],
        CTI_TOKEN,
    );
    let listener = listen(dir.path(), 5);
    let mut posted = None;
    for _ in 0..100 {
        if let Ok(r) = post_json(
            port,
            "wrong-token",
            &json!({"event":"newCall","from":"1","to":"2","direction":"in","callId":"w"}),
        ) {
            posted = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(posted.map(|r| r.status), Some(401), "a wrong token is refused");
    let call = |event: &str, extra: Value| {
        let mut body =
            json!({"event": event, "from": "+34600123456", "to": "1986", "direction": "in", "callId": "cti-1"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        post_json(port, CTI_TOKEN, &body).expect("post")
    };
    assert_eq!(call("newCall", json!({})).body, "{}");
    assert_eq!(call("answer", json!({"answeringNumber": "1986"})).status, 200);
    assert_eq!(call("hangup", json!({"cause": "normalClearing"})).status, 200);
    let blocked = post_json(
        port,
        CTI_TOKEN,
        &json!({"event":"newCall","from":"0034911000999","to":"1986","direction":"in","callId":"cti-2"}),
    )
    .expect("post");
    assert_eq!(blocked.body, r#"{"action":"reject","reason":"busy"}"#);
    let out = listener.wait_with_output().expect("listener");
    assert!(out.status.success(), "{}", text(&out));
    let calls = ok(dir.path(), &["calls", "--json"], "");
    let refs: Vec<&str> = calls.as_array().expect("array").iter().filter_map(|c| c["callRef"].as_str()).collect();
    assert!(!refs.contains(&"w"), "nothing recorded from a wrong token: {refs:?}");
    let c = calls.as_array().expect("array").iter().find(|c| c["callRef"] == "cti-1").expect("cti-1");
    assert_eq!((c["outcome"].as_str(), c["agent"].as_str()), (Some("answered"), Some("1986")));
}
