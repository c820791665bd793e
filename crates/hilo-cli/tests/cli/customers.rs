//! `hilo customers` and `hilo export`: the identity graph through the real binary, on
//! demo workspaces of their own (merges change them).

use std::path::Path;

use serde_json::Value;

use super::{hilo, ok_json, stderr};

fn small_demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    ok_json(dir.path(), &["demo", "--customers", "20", "--json"]);
    dir
}

fn identities(customer: &Value) -> Vec<String> {
    customer["identities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| format!("{}:{}", i["kind"].as_str().unwrap_or(""), i["value"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().expect("array").iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()
}

fn stdout(ws: &Path, args: &[&str]) -> String {
    let out = hilo(ws, args);
    assert!(out.status.success(), "hilo {args:?} failed: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn show_merge_and_unmerge_claudio_and_his_mailbox_duplicate() {
    let demo = small_demo();
    let ws = demo.path();
    let list = ok_json(ws, &["customers", "--json"]);
    let before_names = names(&list);
    assert!(before_names.contains(&"Claudio Pérez".to_owned()) && before_names.contains(&"Claudio Perez".to_owned()));

    // Any identity names him: phone in any format, email in any case, his Facebook handle or profile URL.
    let shown = ok_json(ws, &["customers", "show", "0034 600 12 34 56", "--json"]);
    let claudio = shown["customer"]["id"].as_i64().expect("id");
    for ident in [
        "CLAUDIO.PEREZ@EXAMPLE.COM",
        "@claudio.perez.92",
        "https://www.facebook.com/claudio.perez.92",
        &format!("#{claudio}"),
    ] {
        let other = ok_json(ws, &["customers", "show", ident, "--json"]);
        assert_eq!(other["customer"]["id"].as_i64(), Some(claudio), "{ident:?} is Claudio");
    }
    let before_identities = identities(&shown["customer"]);
    let suggestions = shown["suggestions"].as_array().expect("suggestions");
    assert_eq!(suggestions.len(), 1, "his mailbox duplicate is suggested: {shown:#}");
    assert_eq!(suggestions[0]["other"]["name"], "Claudio Perez");
    let evidence: Vec<&str> =
        suggestions[0]["evidence"].as_array().expect("evidence").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(evidence, ["samePhone", "sameNameAndDomain"]);
    let duplicate = suggestions[0]["other"]["id"].as_i64().expect("id");
    let text = stdout(ws, &["customers", "show", "claudio.perez@example.com"]);
    assert!(
        text.contains("Possible duplicate: #")
            && text.contains("same phone +34600123456 (+34 600 123 456 / 600 12 34 56)"),
        "{text}"
    );
    let conversations_before = shown["conversations"].as_array().map(Vec::len).unwrap_or(0);

    // Merge by any identities: the duplicate's address and Claudio's phone.
    let merged = ok_json(ws, &["customers", "merge", "+34600123456", "claudio.p@example.com", "--json"]);
    let merge_id = merged["mergeId"].as_i64().expect("mergeId");
    assert_eq!((merged["targetId"].as_i64(), merged["sourceId"].as_i64()), (Some(claudio), Some(duplicate)));
    let after = ok_json(ws, &["customers", "show", "claudio.p@example.com", "--json"]);
    assert_eq!(after["customer"]["id"].as_i64(), Some(claudio), "the duplicate's address now names Claudio");
    let after_identities = identities(&after["customer"]);
    assert!(after_identities.contains(&"email:claudio.p@example.com".to_owned()));
    assert!(after_identities.contains(&"phone_unparsed:600123456".to_owned()));
    assert_eq!(after["conversations"].as_array().map(Vec::len), Some(conversations_before + 1));
    assert_eq!(after["suggestions"].as_array().map(Vec::len), Some(0), "nothing left to suggest");
    assert_eq!(after["mergeHistory"][0]["evidence"].as_array().map(Vec::len), Some(2), "the evidence is recorded");
    assert!(
        !names(&ok_json(ws, &["customers", "--json"])).contains(&"Claudio Perez".to_owned()),
        "the duplicate is hidden"
    );
    let timeline = ok_json(ws, &["timeline", "--customer", "claudio.perez@example.com", "--json"]);
    let event = timeline["items"].as_array().expect("items").iter().find(|i| i["kind"] == "merged").cloned();
    let event = event.expect("a merged event in the timeline");
    assert_eq!(event["mergeId"].as_i64(), Some(merge_id));
    assert_eq!(event["from"], "Claudio Perez");

    // A merge into itself or of a hidden customer is refused with a reason.
    let out = hilo(ws, &["customers", "merge", "claudio.perez@example.com", "+34 600 123 456"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be merged into itself"), "{}", stderr(&out));
    let out = hilo(ws, &["customers", "merge", "claudio.perez@example.com", &format!("#{duplicate}")]);
    assert_eq!(out.status.code(), Some(2), "#{duplicate} resolves to Claudio now: {}", stderr(&out));

    let undone = stdout(ws, &["customers", "unmerge", &merge_id.to_string()]);
    assert!(undone.contains(&format!("customer #{duplicate} is back")), "{undone}");
    let restored = ok_json(ws, &["customers", "show", "claudio.perez@example.com", "--json"]);
    assert_eq!(identities(&restored["customer"]), before_identities, "Claudio's identities as before");
    assert_eq!(restored["conversations"].as_array().map(Vec::len), Some(conversations_before));
    assert_eq!(restored["suggestions"].as_array().map(Vec::len), Some(1), "and the suggestion is back");
    let back = ok_json(ws, &["customers", "show", "claudio.p@example.com", "--json"]);
    assert_eq!(back["customer"]["id"].as_i64(), Some(duplicate));
    assert_eq!(back["customer"]["name"], "Claudio Perez");
    assert_eq!(names(&ok_json(ws, &["customers", "--json"])).len(), before_names.len());

    let out = hilo(ws, &["customers", "unmerge", &merge_id.to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already undone"), "{}", stderr(&out));
    let out = hilo(ws, &["customers", "unmerge", "999"]);
    assert_eq!(out.status.code(), Some(3), "an unknown merge is not found");

    // Without --json, merge prints just the merge id (for scripts).
    let plain = stdout(ws, &["customers", "merge", "claudio.perez@example.com", "claudio.p@example.com"]);
    let id: i64 = plain.trim().parse().unwrap_or_else(|_| panic!("a bare merge id, got {plain:?}"));
    assert!(id > merge_id);
}

#[test]
fn dismissed_suggestions_stay_dismissed() {
    let demo = small_demo();
    let ws = demo.path();
    let all = ok_json(ws, &["customers", "suggestions", "--json"]);
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all:#}");
    let out = stdout(ws, &["customers", "dismiss", "claudio.perez@example.com", "claudio.p@example.com"]);
    assert!(out.contains("will not be suggested"), "{out}");
    assert_eq!(ok_json(ws, &["customers", "suggestions", "--json"]).as_array().map(Vec::len), Some(0));
    let shown = ok_json(ws, &["customers", "show", "claudio.perez@example.com", "--json"]);
    assert_eq!(shown["suggestions"].as_array().map(Vec::len), Some(0));
}

/// Splits RFC 4180 text into records of fields (quotes, doubled quotes, CRLF, newlines in cells).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[test]
fn export_gives_the_whole_timeline_as_json_or_csv() {
    let demo = small_demo();
    let ws = demo.path();
    // Claudio's history plus the merged duplicate's, so the export spans several sources.
    ok_json(ws, &["customers", "merge", "claudio.perez@example.com", "claudio.p@example.com", "--json"]);
    let timeline = ok_json(ws, &["timeline", "--customer", "claudio.perez@example.com", "--json"]);
    let items = timeline["items"].as_array().expect("items").clone();
    let exported = ok_json(ws, &["export", "--customer", "+34 600 123 456", "--format", "json"]);
    assert_eq!(exported["items"].as_array(), Some(&items), "the JSON export is the complete timeline");

    let csv = stdout(ws, &["export", "--customer", "+34 600 123 456", "--format", "csv"]);
    assert!(csv.starts_with("at,type,kind,channel,direction,author,from,to,conversation_id,id,text\r\n"), "{csv}");
    let records = parse_csv(&csv);
    assert_eq!(records.len(), items.len() + 1, "a header and one row per item");
    assert!(records.iter().all(|r| r.len() == 11), "every row has every column");
    for (record, item) in records[1..].iter().zip(&items) {
        assert_eq!(record[1], item["type"].as_str().unwrap_or(""));
        assert_eq!(record[9], item["id"].to_string());
        for cell in record {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "a spreadsheet would run {cell:?}");
        }
    }
    let call = records.iter().find(|r| r[1] == "call").expect("his call");
    assert_eq!(call[6], "'+34600123456", "numbers that look like formulas are defused");
    let email = records.iter().find(|r| r[3] == "email" && r[10].contains('\n'));
    assert!(email.is_some(), "multi-line email text survives quoting");

    let out = hilo(ws, &["export", "--customer", "nobody@example.com", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty(), "no partial export on error");
}
