//! Identity graph in the real window: Claudio's customer context panel shows the demo's
//! duplicate (his old mailbox contact) with its evidence; merging through the UI brings
//! the duplicate's identities into his panel, Unmerge on the timeline event splits them
//! again, and the kind filter narrows the timeline.
//!
//! `HILO_UPDATE_SCREENSHOTS=1` also writes docs/screenshot-customer-panel.png.

use std::path::PathBuf;
use std::time::Duration;

use hilo_tests::{artifacts_dir, workspace_binary};
use serde_json::{Value, json};

use super::{ONE_AT_A_TIME, READY, desk};

fn texts(session: &hilo_tests::Session<'_>, selector: &str) -> Vec<Value> {
    session
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => ({
                text: e.textContent.trim(), kind: e.dataset.kind || null, value: e.dataset.value || null,
                type: e.dataset.type || null }))",
            json!([selector]),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn identity_values(session: &hilo_tests::Session<'_>) -> Vec<String> {
    texts(session, "[data-testid=\"context-identity\"]")
        .iter()
        .filter_map(|i| Some(format!("{}:{}", i["kind"].as_str()?, i["value"].as_str()?)))
        .collect()
}

#[test]
fn merge_suggestion_merge_and_unmerge_in_the_customer_panel() {
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

    // The suggestion and its evidence, in words, beside the timeline.
    session.wait_element("[data-testid=\"merge-suggestion\"]", READY);
    let name = texts(&session, "[data-testid=\"suggestion-name\"]");
    assert_eq!(name.len(), 1, "one suggestion: {name:?}");
    assert!(name[0]["text"].as_str().unwrap_or("").starts_with("Claudio Perez (#"), "{name:?}");
    let evidence = texts(&session, "[data-testid=\"merge-evidence\"]");
    let kinds: Vec<&str> = evidence.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["samePhone", "sameNameAndDomain"], "{evidence:?}");
    // In the UI's language (the webview's, es or en).
    let one_of = |v: &Value, options: [&str; 2]| options.contains(&v.as_str().unwrap_or(""));
    assert!(
        one_of(
            &evidence[0]["text"],
            ["Mismo teléfono: +34 600 123 456 = 600 12 34 56", "Same phone: +34 600 123 456 = 600 12 34 56"]
        ),
        "{evidence:?}"
    );
    assert!(
        one_of(
            &evidence[1]["text"],
            [
                "Mismo nombre y dominio de empresa: claudio.perez@example.com · claudio.p@example.com",
                "Same name and company domain: claudio.perez@example.com · claudio.p@example.com"
            ]
        ),
        "{evidence:?}"
    );
    let before = identity_values(&session);
    assert!(before.contains(&"phone:+34600123456".to_owned()), "{before:?}");
    assert!(!before.contains(&"email:claudio.p@example.com".to_owned()));
    let groups: Vec<String> = texts(&session, "[data-testid=\"identity-group\"]")
        .iter()
        .filter_map(|g| g["kind"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(groups, ["phone", "email", "facebook", "contact"], "identities grouped by kind, phone first");

    // SLA toasts of the live demo would cover the panel's lower half in the picture.
    session.execute(
        "document.querySelectorAll('[data-testid=\"sla-toast\"] button.dismiss').forEach(b => b.click()); return null",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(1000));
    let shot = artifacts_dir().join("e2e-customer-panel.png");
    session.screenshot(&shot);
    if std::env::var_os("HILO_UPDATE_SCREENSHOTS").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot-customer-panel.png");
        std::fs::copy(&shot, docs).expect("copy the screenshot into docs/");
    }

    // Merge through the UI: the duplicate's identities join Claudio's panel.
    let merge = session.wait_element("[data-testid=\"merge-button\"]", READY);
    session.click(&merge);
    let after = hilo_tests::wait_for("the merged identities in the panel", READY, || {
        let ids = identity_values(&session);
        ids.contains(&"email:claudio.p@example.com".to_owned()).then_some(ids)
    });
    assert!(after.contains(&"phone_unparsed:600123456".to_owned()), "{after:?}");
    assert!(
        after.iter().all(|i| before.contains(i) || i.ends_with("claudio.p@example.com") || i.ends_with("600123456"))
    );
    assert!(texts(&session, "[data-testid=\"merge-suggestion\"]").is_empty(), "nothing left to suggest");
    let past = texts(&session, "[data-testid=\"context-conversation\"]");
    assert!(past.iter().any(|c| c["text"].as_str().unwrap_or("").contains("Cambio de talla")), "{past:?}");
    let merged_event = hilo_tests::wait_for("the merge in the timeline", READY, || {
        texts(&session, "[data-testid=\"timeline-item\"][data-type=\"event\"][data-kind=\"merged\"]").first().cloned()
    });
    let line = merged_event["text"].as_str().unwrap_or("");
    assert!(
        line.contains("Claudio Perez fusionada en esta ficha")
            || line.contains("Claudio Perez merged into this customer"),
        "{merged_event:?}"
    );

    // The kind filter narrows the timeline to notes, and clearing brings everything back.
    let notes = session.wait_element("[data-testid=\"filter-kind\"][data-kind=\"note\"]", READY);
    session.click(&notes);
    let only_notes = hilo_tests::wait_for("a notes-only timeline", READY, || {
        let items = texts(&session, "[data-testid=\"timeline-item\"]");
        (!items.is_empty() && items.iter().all(|i| i["kind"] == "note")).then_some(items)
    });
    assert!(only_notes.iter().any(|i| i["text"].as_str().unwrap_or("").contains("Reposición enviada")));
    let clear = session.wait_element("[data-testid=\"filter-clear\"]", READY);
    session.click(&clear);
    hilo_tests::wait_for("the whole timeline again", READY, || {
        let items = texts(&session, "[data-testid=\"timeline-item\"]");
        items.iter().any(|i| i["kind"] == "merged").then_some(())
    });

    // Unmerge from the timeline event: the panel is as it was, suggestion included.
    let unmerge = session.wait_element("[data-testid=\"timeline-unmerge\"]", READY);
    session.click(&unmerge);
    hilo_tests::wait_for("the suggestion to come back", READY, || {
        (!texts(&session, "[data-testid=\"merge-suggestion\"]").is_empty()).then_some(())
    });
    let restored = identity_values(&session);
    assert_eq!(restored, before, "Claudio's identities exactly as before the merge");
    hilo_tests::wait_for("the split in the timeline", READY, || {
        texts(&session, "[data-testid=\"timeline-item\"][data-kind=\"unmerged\"]").first().cloned()
    });
    assert!(
        texts(&session, "[data-testid=\"timeline-unmerge\"]").is_empty(),
        "a merge that was undone offers no second Unmerge"
    );
}
