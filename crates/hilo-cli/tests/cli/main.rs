//! The `hilo` binary, black box, with its cache key in a real (private) Secret Service.

// Identity graph: customers, merges, export.
mod customers;
mod mail;
mod sla;
// Clicking an SLA notification opens its conversation (own private bus).
mod sla_actions;
mod sync;
mod telephony;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use hilo_tests::KeyringSession;
use serde_json::Value;

fn keyring() -> &'static KeyringSession {
    static SESSION: OnceLock<KeyringSession> = OnceLock::new();
    SESSION.get_or_init(KeyringSession::start)
}

fn hilo(workspace: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hilo"))
        .envs(keyring().envs())
        .env_remove("HILO_WORKSPACE")
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .output()
        .expect("run hilo")
}

fn ok_json(workspace: &Path, args: &[&str]) -> Value {
    let out = hilo(workspace, args);
    assert!(out.status.success(), "hilo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("hilo {args:?} printed invalid JSON: {e}"))
}

/// `hilo` with `stdin` fed in (secrets are read from it) and national numbers read as
/// Spanish (`HILO_DEFAULT_REGION=ES`), for the account and sync tests.
fn hilo_with_stdin(workspace: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = hilo_tests::hilo_command(env!("CARGO_BIN_EXE_hilo"), keyring().envs(), workspace);
    hilo_tests::run_with_stdin(command.env("HILO_DEFAULT_REGION", "ES").args(args), stdin)
}

/// `hilo_with_stdin` without input; the JSON it printed, or a failure naming what it said.
fn region_json(workspace: &Path, args: &[&str]) -> Value {
    let out = hilo_with_stdin(workspace, args, "");
    assert!(
        out.status.success(),
        "hilo {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("hilo {args:?} printed invalid JSON: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One demo workspace shared by the read-only tests (creating it takes a moment).
fn demo() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let summary = ok_json(dir.path(), &["demo", "--json"]);
        assert!(summary["customers"].as_i64().unwrap_or(0) >= 150, "about 200 customers: {summary}");
        dir
    })
    .path()
}

#[test]
fn timeline_finds_claudio_by_email_phone_or_id_in_story_order() {
    let by_email = ok_json(demo(), &["timeline", "--customer", "Claudio.Perez@example.com", "--json"]);
    let id = by_email["customer"]["id"].as_i64().expect("customer id");
    for ident in ["+34 600 123 456", "600123456", "0034600123456", &id.to_string()] {
        let t = ok_json(demo(), &["timeline", "--customer", ident, "--json"]);
        assert_eq!(t["customer"]["id"].as_i64(), Some(id), "{ident:?} names the same customer");
    }
    let items = by_email["items"].as_array().expect("items");
    let pos = |pred: &dyn Fn(&Value) -> bool| items.iter().position(pred);
    let fb = pos(&|i| i["type"] == "message" && i["channel"] == "facebook" && i["direction"] == "inbound");
    let note = pos(&|i| i["kind"] == "note" && i["text"].as_str().unwrap_or("").contains("Reposición enviada"));
    let call = pos(&|i| i["type"] == "call" && i["outcome"] == "answered" && i["direction"] == "inbound");
    assert!(
        matches!((fb, note, call), (Some(a), Some(b), Some(c)) if a < b && b < c),
        "story order: {fb:?} {note:?} {call:?}"
    );
    assert!(items.windows(2).all(|w| w[0]["at"].as_i64() >= w[1]["at"].as_i64()), "newest first");

    let limited = ok_json(demo(), &["timeline", "--customer", "claudio.perez@example.com", "--limit", "2", "--json"]);
    assert_eq!(limited["items"].as_array().map(Vec::len), Some(2));
}

#[test]
fn conversations_filter_by_status_and_search_marks_matches() {
    let open = ok_json(demo(), &["conversations", "--json"]);
    let open = open.as_array().expect("array");
    assert!(!open.is_empty());
    assert!(open.iter().all(|c| c["status"] == "open"), "default is the open inbox");
    assert_eq!(open[0]["customerName"], "Claudio Pérez", "his new Facebook message tops the inbox");
    let all = ok_json(demo(), &["conversations", "--status", "all", "--json"]);
    assert!(all.as_array().map_or(0, Vec::len) > open.len());
    for status in ["pending", "snoozed", "resolved"] {
        let list = ok_json(demo(), &["conversations", "--status", status, "--json"]);
        assert!(list.as_array().is_some_and(|l| !l.is_empty() && l.iter().all(|c| c["status"] == status)));
    }
    let hits = ok_json(demo(), &["search", "reposicion", "--json"]);
    let first = &hits.as_array().expect("hits")[0];
    assert_eq!(first["customerName"], "Claudio Pérez");
    assert!(
        first["snippet"].as_array().is_some_and(|s| s.iter().any(|seg| seg["marked"] == true)),
        "the match is marked: {first}"
    );
}

#[test]
fn errors_go_to_stderr_with_a_non_zero_exit() {
    let out = hilo(demo(), &["timeline", "--customer", "nobody@example.com"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout");
    assert!(stderr(&out).contains("no customer matches"), "{}", stderr(&out));
    let out = hilo(demo(), &["demo"]);
    assert!(!out.status.success(), "the demo never overwrites a workspace with data");
}

#[test]
fn no_keychain_is_a_clear_error_and_never_plaintext() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_hilo"))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/hilo-test-bus")
        .arg("--workspace")
        .arg(dir.path())
        .arg("info")
        .output()
        .expect("run hilo");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no OS keychain is reachable") && err.contains("never"),
        "says what happened and what to do: {err}"
    );
    assert!(!dir.path().join("hilo.db").exists(), "no cache is created without a key in the keychain");
}

#[test]
fn unreadable_cache_is_reported_then_moved_aside_on_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok_json(dir.path(), &["info", "--json"]);
    let garbage = b"garbage that is not an encrypted cache".repeat(200);
    std::fs::write(dir.path().join("hilo.db"), &garbage).expect("corrupt");
    let out = hilo(dir.path(), &["conversations"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot be read") && stderr(&out).contains("hilo cache reset"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.path().join("hilo.db")).expect("still there"), garbage, "nothing is deleted on error");

    let reset = ok_json(dir.path(), &["cache", "reset", "--json"]);
    let moved = reset["movedTo"].as_array().expect("movedTo");
    let moved_db =
        moved.iter().filter_map(Value::as_str).find(|p| !p.contains("-wal") && !p.contains("-shm")).expect("db");
    assert_eq!(std::fs::read(moved_db).expect("moved"), garbage, "kept byte for byte");
    let info = ok_json(dir.path(), &["info", "--json"]);
    assert_eq!(info["conversations"], 0, "a fresh, empty cache");
}

#[test]
fn a_cache_whose_key_is_gone_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok_json(dir.path(), &["info", "--json"]);
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("workspace.json")).expect("meta"))
        .expect("meta json");
    let user = format!("cache-key:{}", meta["id"].as_str().expect("id"));
    keyring().secret_tool(&["clear", "service", "dev.hilo.desktop", "username", &user]);
    let out = hilo(dir.path(), &["info"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("has no key"), "{}", stderr(&out));
    assert!(dir.path().join("hilo.db").exists(), "nothing deleted");
}
