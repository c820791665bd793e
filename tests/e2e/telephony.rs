//! Telephony in the real window: an AMI account (added with the `hilo` CLI, its secret in
//! the private keychain) points at the AMI simulator; the simulator rings the agent's
//! endpoint from Claudio Pérez's mobile. The screen-pop shows who calls, opens his
//! timeline, and the hung-up call lands there as missed; his callback is returned with
//! the call-back button (an `Originate` reaches the PBX); an unknown caller becomes a
//! customer from the pop. The desktop notification is seen as the real `Notify` call on
//! the private session bus (`dbus-monitor`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hilo_tests::sim::AmiSim;
use hilo_tests::sim::Flow;
use hilo_tests::sim::ami::{InboundScript, inbound_flow};
use hilo_tests::{artifacts_dir, workspace_binary};
use serde_json::{Value, json};

use super::{ONE_AT_A_TIME, READY, desk, timeline_items};

const AMI_SECRET: &str = "e2e-AMI-s3cret-9931";

/// Runs the `hilo` CLI on the workspace with the desk's keychain; returns its JSON.
fn hilo(envs: &[(String, String)], workspace: &Path, args: &[&str], stdin: &str) -> Value {
    let pairs = envs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let out = hilo_tests::run_with_stdin(
        hilo_tests::hilo_command(workspace_binary("hilo"), pairs, workspace).args(args),
        stdin,
    );
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("hilo {args:?} printed invalid JSON: {e}"))
}

/// `dbus-monitor` on the private bus, recording every `Notify` call (killed on drop).
struct NotifyMonitor {
    child: Child,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl NotifyMonitor {
    fn start(envs: &[(String, String)]) -> NotifyMonitor {
        let dir = tempfile::tempdir().expect("monitor dir");
        let log = dir.path().join("notify.log");
        let child = Command::new("dbus-monitor")
            .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args(["--session", "interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(std::fs::File::create(&log).expect("monitor log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor (package dbus-bin) must be installed");
        NotifyMonitor { child, log, _dir: dir }
    }

    fn seen(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for NotifyMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The flow up to the agent's phone ringing, and the rest (the hang-up).
fn split_at_ringing(flow: &Flow) -> (Flow, Flow) {
    let ringing = flow
        .packets
        .iter()
        .position(|p| p.windows(19).any(|w| w == b"DialStatus: RINGING"))
        .expect("the scripted call rings the agent");
    let mut head = flow.clone();
    head.packets = flow.packets[..=ringing].to_vec();
    let mut tail = flow.clone();
    tail.packets = flow.packets[ringing + 1..].to_vec();
    (head, tail)
}

fn attr(session: &hilo_tests::Session<'_>, selector: &str, name: &str) -> Option<String> {
    session
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            json!([selector, name]),
        )
        .as_str()
        .map(str::to_owned)
}

fn texts(session: &hilo_tests::Session<'_>, selector: &str) -> Vec<String> {
    session
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent.trim())",
            json!([selector]),
        )
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn claudio_rings_the_pop_opens_his_timeline_and_the_missed_call_is_returned() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let mut envs = desk.keyring.envs();
    envs.push(("LANG".into(), "es_ES.UTF-8".into()));
    let workspace = tempfile::tempdir().expect("workspace dir");
    let demo = hilo(&envs, workspace.path(), &["demo", "--customers", "60", "--json"], "");
    let claudio = demo["claudioCustomerId"].as_i64().expect("Claudio's customer id");
    let sim = AmiSim::start("hilo", AMI_SECRET);
    let port = sim.port().to_string();
    hilo(
        &envs,
        workspace.path(),
        &[
            "accounts",
            "add",
            "ami",
            "--name",
            "centralita",
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
        ],
        &format!("{AMI_SECRET}\n"),
    );

    let notifications = NotifyMonitor::start(&envs);
    // The monitor is listening once its own NameAcquired shows.
    hilo_tests::wait_for("dbus-monitor to listen", READY, || {
        notifications.seen().contains("NameAcquired").then_some(())
    });
    let app = workspace_binary("hilo-desktop");
    let session = desk.driver.launch(&app, &["--workspace".to_owned(), workspace.path().display().to_string()]);
    session.wait_element("[data-testid=\"app-ready\"]", READY);
    assert!(sim.wait_logins(1, READY), "the app logs in to the PBX when the workspace opens");
    // The agent works in Spanish (the story's language), whatever the webview's locale.
    session.execute(
        "const s = document.querySelector('[data-testid=\"language-select\"]');
         s.value = 'es'; s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([]),
    );
    // Notifications are written by the backend in the language the window stored.
    session.wait_element("[data-notification-language=\"es\"]", READY);

    // Claudio's mobile rings the agent's phone.
    let flow = inbound_flow(InboundScript::CallerCancels, &sim.next_id(), "600 123 456");
    let (ringing, hang_up) = split_at_ringing(&flow);
    sim.play(&ringing);
    let pop = format!("[data-testid=\"screen-pop\"][data-call-ref=\"{}\"]", flow.call_ref);
    session.wait_element(&pop, READY);
    let name = texts(&session, &format!("{pop} [data-testid=\"screen-pop-name\"]"));
    assert_eq!(name, ["Claudio Pérez"], "the pop names the caller by his phone identity");
    assert_eq!(attr(&session, &pop, "data-customer-id"), Some(claudio.to_string()));
    assert_eq!(attr(&session, &pop, "data-open-conversations").as_deref(), Some("1"));
    let open = texts(&session, &format!("{pop} [data-testid=\"screen-pop-open\"]"));
    assert_eq!(open, ["1 conversación abierta"], "the open-conversation count, in the agent's language");
    assert_eq!(texts(&session, &format!("{pop} [data-testid=\"screen-pop-title\"]")), ["Llamada entrante"]);
    assert_eq!(
        attr(&session, &format!("{pop} [data-testid=\"screen-pop-latest\"]"), "data-channel").as_deref(),
        Some("facebook"),
        "the newest open conversation is his Facebook one"
    );
    assert_eq!(attr(&session, &pop, "role").as_deref(), Some("alertdialog"));
    hilo_tests::wait_for("the desktop notification of the ring", READY, || {
        let seen = notifications.seen();
        (seen.contains("\"Llamada entrante\"") && seen.contains("\"Claudio Pérez · 1 conversación abierta\""))
            .then_some(())
    });
    let focused = session.execute("return document.activeElement && document.activeElement.dataset.testid", json!([]));
    assert_eq!(focused, "screen-pop-open-timeline", "the keyboard lands on the pop's main action");

    std::thread::sleep(Duration::from_millis(1200));
    let shot = artifacts_dir().join("e2e-screen-pop.png");
    session.screenshot(&shot);
    if std::env::var_os("HILO_UPDATE_SCREENSHOTS").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot-screen-pop.png");
        std::fs::copy(&shot, docs).expect("update docs/screenshot-screen-pop.png");
    }

    // "Open timeline" selects his conversation; the pop leaves.
    let open_timeline = session.wait_element(&format!("{pop} [data-testid=\"screen-pop-open-timeline\"]"), READY);
    session.click(&open_timeline);
    let header = session.wait_element("[data-testid=\"customer-name\"]", READY);
    hilo_tests::wait_for("Claudio's timeline after 'Open timeline'", READY, || {
        (session.text(&header).trim() == "Claudio Pérez").then_some(())
    });
    hilo_tests::wait_for("the pop to leave once opened", READY, || {
        texts(&session, "[data-testid=\"screen-pop\"]").is_empty().then_some(())
    });

    // He hangs up before anyone answers: the call lands in his timeline as missed.
    sim.play(&hang_up);
    let missed = hilo_tests::wait_for("the missed call in Claudio's timeline", READY, || {
        timeline_items(&session).into_iter().find(|i| i["type"] == "call" && i["kind"] == "missed")
    });
    let answered = timeline_items(&session).into_iter().any(|i| i["type"] == "call" && i["kind"] == "answered");
    assert!(answered, "Monday's answered call is still there, beside today's missed one");
    assert_eq!(missed["channel"], "voice");

    // The missed call asks for a callback; the call-back button rings the agent's phone
    // through the PBX and dials Claudio.
    let tab = session.wait_element("[data-testid=\"status-tab\"][data-view=\"callbacks\"]", READY);
    hilo_tests::wait_for("the callbacks count", READY, || {
        (attr(&session, "[data-view=\"callbacks\"]", "data-count").as_deref() != Some("0")).then_some(())
    });
    session.click(&tab);
    let row = format!("[data-testid=\"callback-row\"][data-customer-id=\"{claudio}\"]");
    session.wait_element(&row, READY);
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-callbacks.png"));
    let call_back = session.wait_element(&format!("{row} [data-testid=\"call-button\"]"), READY);
    session.click(&call_back);
    let originate = hilo_tests::wait_for("an Originate at the PBX", READY, || {
        sim.actions().into_iter().find(|a| a.iter().any(|(k, v)| k == "Action" && v == "Originate"))
    });
    let get = |k: &str| originate.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(get("Channel").as_deref(), Some("PJSIP/1986"), "the agent's own phone rings first");
    assert_eq!(get("Exten").as_deref(), Some("+34600123456"), "then Claudio's mobile, in E.164");
    // The returned call is followed like any other: it lands in his timeline, and his
    // callback is done.
    session.wait_element("[data-testid=\"timeline-item\"][data-type=\"call\"][data-direction=\"outbound\"]", READY);
    hilo_tests::wait_for("Claudio's callback to be done", READY, || texts(&session, &row).is_empty().then_some(()));
    // Calling again from the missed call in his timeline: the button reports the ring.
    let again =
        "[data-testid=\"timeline-item\"][data-type=\"call\"][data-kind=\"missed\"] [data-testid=\"call-button\"]";
    session.click(&session.wait_element(again, READY));
    let state = hilo_tests::wait_for("the call button to finish", READY, || {
        attr(&session, again, "data-state").filter(|s| s == "placed" || s == "error")
    });
    assert_eq!(state, "placed", "{:?}", texts(&session, "[data-testid=\"call-button-error\"]"));
    let originates = sim.actions().into_iter().filter(|a| a.iter().any(|(k, v)| k == "Action" && v == "Originate"));
    assert_eq!(originates.count(), 2, "one Originate per click");

    // A stranger calls: the pop offers to create the customer, who then opens.
    let stranger = inbound_flow(InboundScript::CallerCancels, &sim.next_id(), "+34911222333");
    let (ringing, _) = split_at_ringing(&stranger);
    sim.play(&ringing);
    let pop = format!("[data-testid=\"screen-pop\"][data-call-ref=\"{}\"]", stranger.call_ref);
    session.wait_element(&pop, READY);
    assert_eq!(texts(&session, &format!("{pop} [data-testid=\"screen-pop-name\"]")), ["+34 911 22 23 33"]);
    let create = session.wait_element(&format!("{pop} [data-testid=\"screen-pop-create\"]"), READY);
    session.click(&create);
    let input = session.wait_element(&format!("{pop} [data-testid=\"screen-pop-name-input\"]"), READY);
    session.type_text(&input, "Marta Ruiz");
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-screen-pop-unknown.png"));
    let submit = session.wait_element(&format!("{pop} [data-testid=\"screen-pop-create-submit\"]"), READY);
    session.click(&submit);
    hilo_tests::wait_for("the new customer's timeline", READY, || {
        (session.text(&header).trim() == "Marta Ruiz").then_some(())
    });
    let calls = hilo(&envs, workspace.path(), &["calls", "--json"], "");
    let linked = calls
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["callRef"] == stranger.call_ref.as_str())
        .map(|c| c["customerId"].clone());
    assert!(
        linked.as_ref().is_some_and(Value::is_i64),
        "the stranger's ringing call now belongs to the new customer: {linked:?}"
    );
    for entry in std::fs::read_dir(workspace.path()).expect("workspace") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(
            !bytes.windows(AMI_SECRET.len()).any(|w| w == AMI_SECRET.as_bytes()),
            "the AMI secret stays in the keychain"
        );
    }
}
