//! The composer in the real window, against the Chatwoot simulator: a reply written with
//! a `/` snippet while the helpdesk is offline shows as pending at once, and once the
//! helpdesk is back and the agent presses "Sync now" it shows delivered — and the
//! helpdesk received it exactly once.

use std::path::Path;

use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use hilo_tests::{KeyringSession, artifacts_dir, workspace_binary};
use serde_json::{Value, json};

use super::{ONE_AT_A_TIME, READY, desk};

const CUSTOMER: &str = "Zoe Testwood";

/// Runs the `hilo` CLI on the workspace, in the test's keychain session.
fn hilo(keyring: &KeyringSession, workspace: &Path, args: &[&str], stdin: &str) {
    let mut command = hilo_tests::hilo_command(workspace_binary("hilo"), keyring.envs(), workspace);
    let out = hilo_tests::run_with_stdin(command.env("HILO_DEFAULT_REGION", "ES").args(args), stdin);
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// The delivery state shown under each of the agent's messages containing `text`.
fn deliveries(session: &hilo_tests::Session<'_>, text: &str) -> Vec<Value> {
    session
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"timeline-item\"][data-direction=\"outbound\"]'))
                .filter(e => e.textContent.includes(arguments[0]))
                .map(e => { const d = e.querySelector('[data-testid=\"delivery\"]'); return d ? d.dataset.state : null; })",
            json!([text]),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
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

#[test]
fn a_snippet_reply_waits_offline_and_is_delivered_once() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let sim = ChatwootSim::start(SimConfig::default());
    let inbox = sim.add_inbox("Channel::WebWidget", None);
    let contact = sim.add_contact(Some(CUSTOMER), Some("zoe.testwood@example.org"), None, None, json!({}));
    let remote = sim.add_conversation(inbox, contact, json!({}));
    sim.add_message(remote, 0, false, Some("¿Dónde está mi pedido?"), json!({}));

    // A workspace with the demo's snippets and a Chatwoot account on the simulator.
    let workspace = tempfile::tempdir().expect("workspace dir");
    let ws = workspace.path();
    hilo(&desk.keyring, ws, &["demo", "--customers", "20"], "");
    let url = sim.base_url();
    let account = sim.account_id().to_string();
    let add =
        ["accounts", "add", "chatwoot", "--name", "Soporte", "--url", &url, "--account-id", &account, "--token-stdin"];
    hilo(&desk.keyring, ws, &add, &format!("{}\n", sim.token()));
    hilo(&desk.keyring, ws, &["sync", "--once"], "");
    sim.set_offline(true);

    let app = workspace_binary("hilo-desktop");
    let session = desk.driver.launch(&app, &["--workspace".to_owned(), ws.display().to_string()]);
    session.wait_element("[data-testid=\"app-ready\"]", READY);
    // The agent works in Spanish: snippets in Spanish come first.
    session.execute(
        "const s = document.querySelector('[data-testid=\"language-select\"]'); s.value = 'es';
         s.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        json!([]),
    );

    // The app runs the sync itself and says the helpdesk is offline.
    session.wait_element("[data-testid=\"sync-indicator\"][data-state=\"offline\"]", READY);

    // Settings → Accounts: the agent's name (what {{agent.name}} signs with), and the
    // account listed offline.
    session.click(&session.wait_element("[data-testid=\"settings-button\"]", READY));
    session.click(&session.wait_element("[data-testid=\"settings-section\"][data-section=\"accounts\"]", READY));
    let name = session.wait_element("[data-testid=\"agent-name\"]", READY);
    session.type_text(&name, "Ana García");
    session.click(&session.wait_element("[data-testid=\"agent-name-save\"]", READY));
    session.wait_element("[data-testid=\"account-row\"][data-account-name=\"Soporte\"][data-state=\"offline\"]", READY);
    session.wait_element("[data-testid=\"agent-profile\"] [role=\"status\"]", READY);
    session
        .execute("document.querySelector('[data-testid=\"settings-panel\"] .close').click(); return null;", json!([]));

    let row = session.wait_element(&format!("[data-testid=\"inbox-row\"][data-customer-name=\"{CUSTOMER}\"]"), READY);
    session.click(&row);
    let input = session.wait_element("[data-testid=\"composer-input\"]", READY);
    hilo_tests::wait_for("the composer to know the agent's name", READY, || {
        let placeholder = attr(&session, "[data-testid=\"composer-input\"]", "placeholder")?;
        placeholder.contains(CUSTOMER).then_some(())
    });

    // `/salu`, the picker offers the Spanish greeting first, Enter inserts it filled in.
    session.type_text(&input, "/salu");
    session.wait_element("[data-testid=\"snippet-option\"][data-shortcut=\"saludo\"][aria-selected=\"true\"]", READY);
    assert_eq!(
        attr(&session, "[data-testid=\"snippet-option\"]", "data-language").as_deref(),
        Some("es"),
        "snippets in the agent's language come first (page language {:?}, options {:?})",
        session.execute("return document.documentElement.lang", json!([])),
        session.execute("return Array.from(document.querySelectorAll('[data-testid=\"snippet-option\"]')).map(e => e.dataset.language + ':' + e.dataset.shortcut)", json!([]))
    );
    session.type_text(&input, "\u{E007}");
    let text = hilo_tests::wait_for("the snippet in the composer", READY, || {
        let v = session.execute("return document.querySelector('[data-testid=\"composer-input\"]').value;", json!([]));
        v.as_str().filter(|t| t.starts_with("Hola")).map(str::to_owned)
    });
    assert_eq!(
        text,
        "Hola Zoe, soy Ana García, del equipo de atención al cliente. Gracias por escribirnos. ¿En qué puedo ayudarte?",
        "variables are filled from the customer and the agent's profile"
    );
    session.click(&session.wait_element("[data-testid=\"composer-send\"]", READY));

    // Pending at once, while the helpdesk is offline.
    hilo_tests::wait_for("the reply pending in the timeline", READY, || {
        (deliveries(&session, "Hola Zoe, soy Ana") == vec![json!("pending")]).then_some(())
    });
    std::thread::sleep(std::time::Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-composer-pending.png"));
    assert_eq!(sim.messages().iter().filter(|m| m.content.as_deref() == Some(text.as_str())).count(), 0);

    // Back online; "Sync now" sends it.
    sim.set_offline(false);
    session.click(&session.wait_element("[data-testid=\"sync-indicator\"]", READY));
    session.click(&session.wait_element("[data-testid=\"sync-now\"]", READY));
    hilo_tests::wait_for("the reply delivered in the timeline", READY, || {
        (deliveries(&session, "Hola Zoe, soy Ana") == vec![json!("delivered")]).then_some(())
    });
    session.wait_element("[data-testid=\"sync-indicator\"][data-state=\"idle\"]", READY);
    std::thread::sleep(std::time::Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-composer-delivered.png"));
    assert_eq!(deliveries(&session, "Hola Zoe, soy Ana").len(), 1, "shown once: the echo is reconciled");
    assert_eq!(
        sim.messages().iter().filter(|m| m.content.as_deref() == Some(text.as_str())).count(),
        1,
        "the helpdesk received the reply exactly once"
    );
}
