//! End-to-end: the real `hilo-desktop` window under Xvfb, driven through WebKitWebDriver,
//! with the cache key in a real (private) Secret Service.

// Identity graph: the customer context panel, merge and unmerge in the real window.
mod identity;
// telephony
mod telephony;
// SLA settings editors (policies, business hours, holidays).
mod sla_backend;
mod sla_reports;
mod sla_settings;

use std::time::Duration;

// The composer against the Chatwoot simulator (issue 3).
mod composer;

use hilo_tests::{Display, KeyringSession, WebDriver, artifacts_dir, workspace_binary};
use serde_json::{Value, json};

const READY: Duration = Duration::from_secs(90);

struct Desk {
    // Field order is drop order: the driver (and its app) go before the bus and display.
    driver: WebDriver,
    keyring: KeyringSession,
    display: Display,
}

/// One app window at a time: each is a full WebKit, and two cores are all CI has.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn desk() -> Desk {
    let display = Display::start();
    let keyring = KeyringSession::start();
    let mut envs = keyring.envs();
    envs.push(display.env());
    envs.push(("LANG".into(), "es_ES.UTF-8".into()));
    let driver = WebDriver::start(&envs);
    Desk { driver, keyring, display }
}

fn timeline_items(session: &hilo_tests::Session<'_>) -> Vec<Value> {
    session
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"timeline-item\"]')).map(e => ({
                type: e.dataset.type, kind: e.dataset.kind, channel: e.dataset.channel, text: e.textContent }))",
            json!([]),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn claudio_story_in_the_real_window() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let workspace = tempfile::tempdir().expect("workspace dir");
    let app = workspace_binary("hilo-desktop");
    let args = vec!["--workspace".to_owned(), workspace.path().display().to_string(), "--demo".to_owned()];
    let session = desk.driver.launch(&app, &args);

    session.wait_element("[data-testid=\"app-ready\"]", READY);
    let row = session.wait_element(
        "[data-testid=\"inbox-row\"][data-customer-name=\"Claudio Pérez\"][data-channel=\"facebook\"]",
        READY,
    );
    session.click(&row);
    let name = session.wait_element("[data-testid=\"customer-name\"]", READY);
    hilo_tests::wait_for("Claudio's name in the customer header", READY, || {
        (session.text(&name).trim() == "Claudio Pérez").then_some(())
    });
    let items = hilo_tests::wait_for("Claudio's timeline", READY, || {
        let items = timeline_items(&session);
        let has_call = items.iter().any(|i| i["type"] == "call");
        (has_call && items.len() >= 3).then_some(items)
    });
    let position = |pred: &dyn Fn(&Value) -> bool, what: &str| {
        items.iter().position(pred).unwrap_or_else(|| panic!("the timeline must show {what}: {items:#?}"))
    };
    let text = |i: &Value| i["text"].as_str().unwrap_or("").to_owned();
    let facebook = position(
        &|i| {
            i["type"] == "message" && i["kind"] == "message" && i["channel"] == "facebook" && text(i).contains("pedido")
        },
        "Claudio's Facebook message",
    );
    let note = position(
        &|i| i["type"] == "message" && i["kind"] == "note" && text(i).contains("Reposición enviada"),
        "the internal note about the replacement",
    );
    let call = position(&|i| i["type"] == "call" && i["kind"] == "answered", "the answered phone call");
    assert!(
        facebook < note && note < call,
        "newest first: Facebook message ({facebook}), then the note ({note}), then Monday's call ({call})"
    );

    // Full-text search from the header finds the note, accent-insensitively.
    let search = session.wait_element("[data-testid=\"search-input\"]", READY);
    session.type_text(&search, "reposicion");
    let hits = hilo_tests::wait_for("search hits for \"reposicion\"", READY, || {
        let hits = session.execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"search-hit\"]')).map(e => e.textContent)",
            json!([]),
        );
        hits.as_array().filter(|h| !h.is_empty()).cloned()
    });
    assert!(
        hits.iter().all(|h| h.as_str().unwrap_or("").contains("Claudio Pérez")),
        "only Claudio's messages mention the replacement: {hits:?}"
    );

    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-claudio-webview.png"));
    desk.display.screenshot(&artifacts_dir().join("e2e-claudio-screen.png"));

    // The cache key went to the (private) keychain, and nowhere in the workspace.
    let listed = desk.keyring.secret_tool(&["search", "--all", "service", "dev.hilo.desktop"]);
    let key = listed
        .lines()
        .find_map(|l| l.strip_prefix("secret = "))
        .unwrap_or_else(|| panic!("the cache key must be in the Secret Service: {listed}"))
        .trim()
        .to_owned();
    assert_eq!(key.len(), 64, "a 256-bit key in hex");
    for entry in std::fs::read_dir(workspace.path()).expect("workspace") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(!bytes.windows(key.len()).any(|w| w == key.as_bytes()), "the key must not be written to the workspace");
    }
}

#[test]
fn unreadable_cache_is_explained_and_moved_aside_not_deleted() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let workspace = tempfile::tempdir().expect("workspace dir");
    let garbage = b"not a database, perhaps a half-copied file".repeat(100);
    std::fs::write(workspace.path().join("hilo.db"), &garbage).expect("garbage cache");
    let app = workspace_binary("hilo-desktop");
    let session = desk.driver.launch(&app, &["--workspace".to_owned(), workspace.path().display().to_string()]);

    let reset = session.wait_element("[data-testid=\"reset-cache\"]", READY);
    session.click(&reset);
    // After moving it aside the workspace is empty and offers the demo.
    session.wait_element("[data-testid=\"load-demo\"]", READY);
    let moved: Vec<_> = std::fs::read_dir(workspace.path())
        .expect("workspace")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("hilo.db.unreadable-"))
        .collect();
    assert_eq!(moved.len(), 1, "the unreadable file is kept beside the new cache");
    assert_eq!(std::fs::read(moved[0].path()).expect("moved file"), garbage, "and kept byte for byte");
}
