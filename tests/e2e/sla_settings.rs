//! Settings → SLA in the real window: a new business-hours calendar with a split shift
//! (an overlap is caught before saving), an iCal holiday feed picked with the file input
//! and imported, and a new policy added, moved up the evaluation order and kept after the
//! panel is reopened.

use std::time::Duration;

use hilo_tests::{artifacts_dir, wait_for, workspace_binary};
use serde_json::{Value, json};

use crate::{ONE_AT_A_TIME, READY, desk};

/// Sets an input's value as typing would (Svelte's `bind:value` listens to `input`).
fn set_value(session: &hilo_tests::Session<'_>, selector: &str, value: &str) {
    let done = session.execute(
        "const el = document.querySelector(arguments[0]); if (!el) return false;
         el.value = arguments[1]; el.dispatchEvent(new Event('input', {bubbles: true}));
         el.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        json!([selector, value]),
    );
    assert_eq!(done, Value::Bool(true), "no element matches {selector}");
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

fn policy_names(session: &hilo_tests::Session<'_>) -> Vec<String> {
    session
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"sla-policy\"]')).map(e => e.dataset.policy)",
            json!([]),
        )
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn open_section(session: &hilo_tests::Session<'_>, section: &str) {
    let button =
        session.wait_element(&format!("[data-testid=\"settings-section\"][data-section=\"{section}\"]"), READY);
    session.click(&button);
}

#[test]
fn sla_policies_calendars_and_an_ical_import_from_the_settings_panel() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let workspace = tempfile::tempdir().expect("workspace dir");
    let ics = workspace.path().join("festivos-mx.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//ES\r\n\
         BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:Año Nuevo\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270916\r\nSUMMARY:Día de la Independencia\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20271225\r\nSUMMARY:Navidad\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("ics file");
    let app = workspace_binary("hilo-desktop");
    let args = vec!["--workspace".to_owned(), workspace.path().display().to_string(), "--demo".to_owned()];
    let session = desk.driver.launch(&app, &args);
    session.wait_element("[data-testid=\"app-ready\"]", READY);

    let gear = session.wait_element("[data-testid=\"settings-button\"]", READY);
    session.click(&gear);
    open_section(&session, "sla-calendars");
    session.wait_element("[data-testid=\"sla-calendar-editor\"]", READY);

    // A new calendar: Mexico City, office hours plus an evening shift on Monday.
    let add = session.wait_element("[data-testid=\"sla-calendar-add\"]", READY);
    session.click(&add);
    set_value(&session, "[data-testid=\"sla-calendar-name\"]", "Ciudad de México");
    set_value(&session, "[data-testid=\"sla-calendar-zone\"]", "America/Mexico_City");
    let add_shift = session.wait_element("[data-day=\"mon\"] [data-testid=\"sla-shift-add\"]", READY);
    session.click(&add_shift);
    let monday_starts = "[data-day=\"mon\"] [data-testid=\"sla-shift-start\"]";
    wait_for("a second Monday shift", READY, || {
        (session.execute("return document.querySelectorAll(arguments[0]).length", json!([monday_starts])) == json!(2))
            .then_some(())
    });
    set_value(
        &session,
        &format!("[data-day=\"mon\"] span.shift:nth-of-type(2) {}", "[data-testid=\"sla-shift-start\"]"),
        "16:00",
    );
    let overlap = wait_for("the overlap is shown on Monday", READY, || {
        let errors = texts(&session, "[data-day=\"mon\"] .field-error");
        (!errors.is_empty()).then_some(errors)
    });
    assert!(overlap.iter().all(|e| e.contains("Overlaps")), "the overlapping shifts are named: {overlap:?}");
    let save = session.wait_element("[data-testid=\"sla-calendar-save\"]", READY);
    session.click(&save);
    let refused = wait_for("the form refuses to save", READY, || {
        let alerts = texts(&session, "[data-testid=\"sla-calendar-editor\"] > .field-error");
        (!alerts.is_empty()).then_some(alerts)
    });
    assert!(refused[0].contains("red"), "the form says what to fix: {refused:?}");
    set_value(&session, "[data-day=\"mon\"] span.shift:nth-of-type(2) [data-testid=\"sla-shift-start\"]", "18:00");
    session.click(&save);
    session.wait_element("[data-testid=\"sla-calendar-saved\"]", READY);

    // Holidays from an .ics file picked with the file input.
    let file_input = session.wait_element("[data-testid=\"sla-holiday-import\"]", READY);
    session.type_text(&file_input, &ics.display().to_string());
    let imported = session.wait_element("[data-testid=\"sla-holiday-imported\"]", READY);
    assert_eq!(session.text(&imported).trim(), "Imported: 3. Already there: 0.", "three dates imported");
    let dates = wait_for("the imported holidays are listed", READY, || {
        let dates = session.execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"sla-holiday\"]')).map(e => e.dataset.date)",
            json!([]),
        );
        dates.as_array().filter(|d| d.len() == 3).cloned()
    });
    assert_eq!(dates, [json!("2027-01-01"), json!("2027-09-16"), json!("2027-12-25")], "in date order");
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-sla-calendars.png"));

    // A new policy for urgent WhatsApp in Mexico City hours, moved to the top.
    open_section(&session, "sla-policies");
    let before = wait_for("the demo's policies", READY, || {
        let names = policy_names(&session);
        (!names.is_empty()).then_some(names)
    });
    let add_policy = session.wait_element("[data-testid=\"sla-policy-add\"]", READY);
    session.click(&add_policy);
    set_value(&session, "[data-testid=\"sla-policy-name\"]", "WhatsApp México");
    let whatsapp = session.wait_element("[data-testid=\"sla-policy-channel\"][data-channel=\"whatsapp\"]", READY);
    session.click(&whatsapp);
    set_value(&session, "[data-testid=\"sla-policy-target\"][data-target=\"firstResponse\"]", "2 min");
    set_value(&session, "[data-testid=\"sla-policy-target\"][data-target=\"resolution\"]", "1 d");
    let calendar_id = session.execute(
        "return Array.from(document.querySelectorAll('[data-testid=\"sla-policy-calendar\"] option'))
           .findIndex(o => o.textContent.includes('Ciudad de México'))",
        json!([]),
    );
    assert!(calendar_id.as_i64().is_some_and(|i| i > 0), "the new calendar is offered: {calendar_id}");
    session.execute(
        "const s = document.querySelector('[data-testid=\"sla-policy-calendar\"]'); s.selectedIndex = arguments[0];
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([calendar_id]),
    );
    let save_policy = session.wait_element("[data-testid=\"sla-policy-save\"]", READY);
    session.click(&save_policy);
    let after = wait_for("the new policy at the end", READY, || {
        let names = policy_names(&session);
        (names.len() == before.len() + 1).then_some(names)
    });
    assert_eq!(after.last().map(String::as_str), Some("WhatsApp México"), "a new policy goes last: {after:?}");
    for _ in 0..before.len() {
        let up = session.wait_element(
            "[data-policy=\"WhatsApp México\"] button[aria-label^=\"Move\"][aria-label$=\"up\"]:not([disabled])",
            READY,
        );
        let order = policy_names(&session);
        session.click(&up);
        wait_for("the policy moves up", READY, || (policy_names(&session) != order).then_some(()));
    }
    assert_eq!(policy_names(&session).first().map(String::as_str), Some("WhatsApp México"), "moved to the top");
    let details = texts(&session, "[data-policy=\"WhatsApp México\"] .detail");
    assert!(
        details.iter().any(|d| d.contains("2 min") && d.contains("1 d") && d.contains("Ciudad de México")),
        "{details:?}"
    );

    // Reopened, the panel reads everything back from the cache.
    let close = session.wait_element("[data-testid=\"settings-panel\"] header .close", READY);
    session.click(&close);
    session.click(&gear);
    open_section(&session, "sla-policies");
    let reread = wait_for("the policies after reopening", READY, || {
        let names = policy_names(&session);
        (names.len() == before.len() + 1).then_some(names)
    });
    assert_eq!(reread.first().map(String::as_str), Some("WhatsApp México"), "the order was saved");
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-sla-policies.png"));
}
