//! The Reports view in the real window on the demo workspace: the main navigation opens
//! it, the period picker changes the figures, the SVG charts draw proportional bars, and
//! "Download CSV" writes `hilo report`'s CSV into the user's Downloads folder.

use std::time::Duration;

use hilo_tests::{artifacts_dir, wait_for, workspace_binary};
use serde_json::{Value, json};

use crate::{ONE_AT_A_TIME, READY, desk};

fn card(session: &hilo_tests::Session<'_>, name: &str) -> String {
    session
        .execute(
            "const c = document.querySelector(`[data-testid=\"report-card\"][data-card=\"${arguments[0]}\"] strong`);
             return c ? c.textContent.trim() : null;",
            json!([name]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn bars(session: &hilo_tests::Session<'_>, chart: &str) -> Vec<(String, f64)> {
    session
        .execute(
            "return Array.from(document.querySelectorAll(`[data-testid=\"${arguments[0]}\"] [data-testid=\"chart-bar\"]`))
               .map(g => [g.dataset.key, Number(g.dataset.length)])",
            json!([chart]),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|pair| Some((pair.get(0)?.as_str()?.to_owned(), pair.get(1)?.as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn reports_view_with_period_picker_svg_charts_and_csv_download() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = desk();
    let downloads = tempfile::tempdir().expect("downloads dir");
    let config_home = desk
        .keyring
        .envs()
        .into_iter()
        .find(|(k, _)| k == "XDG_CONFIG_HOME")
        .map(|(_, v)| std::path::PathBuf::from(v))
        .expect("the session has its own XDG_CONFIG_HOME");
    std::fs::create_dir_all(&config_home).expect("config home");
    std::fs::write(
        config_home.join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.path().display()),
    )
    .expect("user-dirs.dirs");
    let workspace = tempfile::tempdir().expect("workspace dir");
    let app = workspace_binary("hilo-desktop");
    let args = vec!["--workspace".to_owned(), workspace.path().display().to_string(), "--demo".to_owned()];
    let session = desk.driver.launch(&app, &args);
    session.wait_element("[data-testid=\"app-ready\"]", READY);

    let nav = session.wait_element("[data-testid=\"nav-view\"][data-view=\"reports\"]", READY);
    session.click(&nav);
    session.wait_element("[data-testid=\"report-card\"][data-card=\"items\"]", READY);
    let last30 = session.wait_element("[data-testid=\"report-period\"][data-period=\"last30\"]", READY);
    session.click(&last30);
    let items: u32 = wait_for("the 30-day report", READY, || card(&session, "items").parse().ok());
    assert!(items > 0, "the demo has SLA clocks that ended in the last 30 days");
    assert!(
        card(&session, "compliance").ends_with('%'),
        "compliance is a percentage: {}",
        card(&session, "compliance")
    );

    let calendar = session.execute(
        "const e = document.querySelector('[data-testid=\"report-card\"][data-card=\"first-response\"] [data-testid=\"report-calendar\"]');
         return e ? e.textContent.trim() : null;",
        json!([]),
    );
    let calendar = calendar.as_str().unwrap_or_default().to_owned();
    assert!(
        calendar.chars().any(|c| c.is_ascii_digit()),
        "the first-response card also gives the calendar time the customer waited: {calendar:?}"
    );

    let metrics = bars(&session, "chart-metrics");
    assert_eq!(
        metrics.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["first_response", "next_response", "resolution", "callback"],
        "one bar per metric"
    );
    assert!(metrics.iter().all(|(_, l)| (0.0..=260.0).contains(l)), "bars stay inside the plot: {metrics:?}");
    let channels = bars(&session, "chart-compliance-channel");
    assert!(channels.len() >= 2, "the demo spans several channels: {channels:?}");
    for dimension in ["channel", "agent", "team"] {
        let table = session.execute(
            "return document.querySelectorAll(`[data-testid=\"report-table\"][data-dimension=\"${arguments[0]}\"] tbody tr`).length",
            json!([dimension]),
        );
        assert!(table.as_u64().is_some_and(|n| n > 0), "a table per {dimension}");
    }
    std::thread::sleep(Duration::from_millis(800));
    session.screenshot(&artifacts_dir().join("e2e-sla-reports.png"));

    // A custom period in the future has nothing in it.
    let custom = session.wait_element("[data-testid=\"report-period\"][data-period=\"custom\"]", READY);
    session.click(&custom);
    session.execute(
        "for (const [sel, v] of [['report-to', '2099-01-31'], ['report-from', '2099-01-01']]) {
           const el = document.querySelector(`[data-testid=\"${sel}\"]`);
           el.value = v; el.dispatchEvent(new Event('input', {bubbles: true}));
         }",
        json!([]),
    );
    session.wait_element("[data-testid=\"report-empty\"]", READY);
    let last7 = session.wait_element("[data-testid=\"report-period\"][data-period=\"last7\"]", READY);
    session.click(&last7);
    session.wait_element("[data-testid=\"report-card\"][data-card=\"items\"]", READY);

    let export = session.wait_element("[data-testid=\"report-export\"]", READY);
    session.click(&export);
    let saved = session.wait_element("[data-testid=\"report-exported\"]", READY);
    let text = session.text(&saved);
    let files: Vec<_> = std::fs::read_dir(downloads.path()).expect("downloads").filter_map(|e| e.ok()).collect();
    assert_eq!(files.len(), 1, "one CSV in the Downloads folder ({text})");
    let path = files[0].path();
    assert!(text.contains(&path.display().to_string()), "the view says where it went: {text}");
    let csv = std::fs::read_to_string(&path).expect("csv");
    let mut lines = csv.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("dimension,key,items,first_response_count")),
        "hilo report's columns: {csv}"
    );
    assert!(lines.next().is_some_and(|l| l.starts_with("all,,")), "the team total first: {csv}");
    assert_eq!(
        Value::from(csv.lines().filter(|l| l.starts_with("channel,")).count()),
        json!(bars(&session, "chart-compliance-channel").len()),
        "the CSV has the rows the charts show"
    );
}
