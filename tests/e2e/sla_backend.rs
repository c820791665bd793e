//! The helpdesk's own SLA in the real window: on the demo, Claudio's conversation shows
//! "Chatwoot: SLA running" beside Hilo's own clocks, labelled with the backend's name.

use std::time::Duration;

use hilo_tests::{artifacts_dir, wait_for, workspace_binary};
use serde_json::json;

use crate::{ONE_AT_A_TIME, READY, desk};

#[test]
fn chatwoot_sla_is_shown_beside_hilos_clocks() {
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
    let (hilo, backend) = wait_for("Hilo's clocks and Chatwoot's SLA in the header", READY, || {
        let found = session.execute(
            "const b = document.querySelector('[data-testid=\"sla-backend\"]');
             const c = document.querySelectorAll('[data-testid=\"sla-clock\"]').length;
             return b ? [c, b.textContent.trim()] : null;",
            json!([]),
        );
        let pair = found.as_array()?;
        Some((pair.first()?.as_u64()?, pair.get(1)?.as_str()?.to_owned()))
    });
    assert!(hilo > 0, "Hilo's own clocks are still there");
    assert!(backend.starts_with("Chatwoot: SLA running"), "labelled with the backend's name: {backend:?}");
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-sla-backend.png"));
}
