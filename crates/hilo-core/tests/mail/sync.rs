//! Mirroring the shared mailbox: threads, customers, hostile HTML, attachments,
//! incremental sync, a UIDVALIDITY change, CONDSTORE flag changes, Hilo-owned status.

use hilo_model::{IdentityKind, NormalizedIdentity};
use hilo_store::customers;

use crate::support::*;

const D1: &str = "Mon, 3 Mar 2025 10:00:00 +0100";
const D2: &str = "Mon, 3 Mar 2025 11:00:00 +0100";
const D3: &str = "Mon, 3 Mar 2025 12:00:00 +0100";
const D4: &str = "Tue, 4 Mar 2025 09:00:00 +0100";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_mailbox_becomes_threaded_conversations_with_known_customers() {
    let rig = Rig::start();
    // Claudio is already a customer (a Chatwoot contact with this address).
    let claudio = rig
        .store
        .write(|tx| {
            let id = customers::insert(tx, "Claudio Pérez", None, 0)?;
            let email =
                NormalizedIdentity { kind: IdentityKind::Email, value: CLAUDIO.into(), display: CLAUDIO.into() };
            customers::attach_identity(tx, id, &email, None, 0)?;
            Ok(id)
        })
        .expect("customer");

    let from_claudio = "\"Claudio Pérez\" <Claudio@Example.com>";
    // Thread 1: Claudio → the team answers → Claudio again (References chained).
    rig.append(
        "INBOX",
        &mail(Some("a1@example.com"), from_claudio, SUPPORT, "Pedido no llegó", D1, &[], "Hola, mi pedido no llegó."),
    );
    rig.append(
        "INBOX",
        &mail(
            Some("a2@example.com"),
            SUPPORT,
            CLAUDIO,
            "Re: Pedido no llegó",
            D2,
            &["In-Reply-To: <a1@example.com>", "References: <a1@example.com>"],
            "Lo revisamos.",
        ),
    );
    // Thread 2 arrives out of order: the reply before its root.
    rig.append(
        "INBOX",
        &mail(
            Some("b2@example.org"),
            "Lucía <lucia@example.org>",
            SUPPORT,
            "Re: Factura",
            D3,
            &["In-Reply-To: <b1@example.org>", "References: <b1@example.org>"],
            "¿Alguna novedad?",
        ),
    );
    rig.append(
        "INBOX",
        &mail(Some("b1@example.org"), "Lucía <lucia@example.org>", SUPPORT, "Factura", D2, &[], "Necesito la factura."),
    );
    // Same subject as thread 1, no threading headers: a conversation of its own.
    rig.append(
        "INBOX",
        &mail(Some("c1@example.net"), "ana@example.net", SUPPORT, "Pedido no llegó", D3, &[], "Tampoco el mío."),
    );

    let report = rig.sync_inbox().await;
    assert_eq!(report.messages, 5, "every message once: {report:?}");
    assert!(report.pages >= 3, "page size 2: several pages: {report:?}");
    assert_eq!(rig.conversation_of("a2@example.com"), rig.conversation_of("a1@example.com"));
    assert_eq!(
        rig.conversation_of("b2@example.org"),
        rig.conversation_of("b1@example.org"),
        "out-of-order arrival joins the thread"
    );
    assert_ne!(
        rig.conversation_of("c1@example.net"),
        rig.conversation_of("a1@example.com"),
        "subjects never merge threads"
    );
    assert_eq!(rig.count("SELECT count(*) FROM conversations"), 3);
    assert_eq!(rig.column("SELECT DISTINCT channel FROM conversations"), vec!["email"]);
    assert_eq!(
        rig.column("SELECT subject FROM conversations ORDER BY subject"),
        vec!["Factura", "Pedido no llegó", "Pedido no llegó"],
        "conversation subjects lose Re:"
    );
    let thread1 = rig.local_conversation_id(&rig.conversation_of("a1@example.com"));
    assert_eq!(
        rig.count(&format!("SELECT customer_id FROM conversations WHERE id = {thread1}")),
        claudio,
        "the address ties the mail to the customer Chatwoot already knew"
    );
    assert_eq!(
        rig.column(
            "SELECT direction FROM messages WHERE remote_id IN ('a1@example.com', 'a2@example.com') ORDER BY created_at"
        ),
        vec!["inbound", "outbound"],
        "mail from the account's own address is outbound"
    );
    let lucia = rig.count("SELECT count(*) FROM identities WHERE kind = 'email' AND value = 'lucia@example.org'");
    assert_eq!(lucia, 1, "a new sender becomes a customer with an email identity");

    // Incremental: only new mail is fetched; a reply naming only its parent (no
    // References) finds the thread through the cache, in a later sync.
    rig.append(
        "INBOX",
        &mail(
            Some("a3@example.com"),
            from_claudio,
            SUPPORT,
            "Re: Pedido no llegó",
            D4,
            &["In-Reply-To: <a2@example.com>"],
            "Gracias.",
        ),
    );
    let again = rig.sync_inbox().await;
    assert_eq!(again.messages, 1, "an incremental sync reads only the new message: {again:?}");
    assert_eq!(rig.conversation_of("a3@example.com"), rig.conversation_of("a1@example.com"));
    let nothing = rig.sync_inbox().await;
    assert_eq!(nothing.messages, 0, "caught up: nothing to read: {nothing:?}");
    assert_eq!(rig.count("SELECT count(*) FROM messages"), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_html_is_stored_sanitized_and_attachments_are_listed() {
    let rig = Rig::start();
    let evil = r#"<div onmouseover="steal()" style="position:fixed">Hola <script>alert('x')</script>
<a href="javascript:alert(1)">pincha</a> <img src="https://tracker.example/p.gif" onerror="boom()">
<style>body{display:none}</style><link rel="stylesheet" href="https://evil.example/x.css">
<a href="https://shop.example/pedido/7">tu pedido</a></div>"#;
    let raw = format!(
        "Message-ID: <evil-1@example.com>\r\nFrom: Mallory <mallory@example.com>\r\nTo: {SUPPORT}\r\n\
Subject: Factura adjunta\r\nDate: {D1}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
--mix\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{evil}\r\n\
--mix\r\nContent-Type: application/pdf; name=\"factura 2025.pdf\"\r\nContent-Disposition: attachment; filename=\"factura 2025.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n\
--mix\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
--mix--\r\n"
    );
    rig.append("INBOX", &raw);
    rig.sync_inbox().await;

    let html = rig.column("SELECT html FROM messages");
    assert_eq!(html.len(), 1);
    for bad in [
        "<script",
        "alert(",
        "onmouseover",
        "onerror",
        "javascript:",
        "<img",
        "tracker.example",
        "<style",
        "display:none",
        "style=",
        "evil.example",
    ] {
        assert!(!html[0].contains(bad), "{bad:?} survived sanitizing: {}", html[0]);
    }
    assert!(html[0].contains("https://shop.example/pedido/7"), "safe links stay: {}", html[0]);
    let text = rig.column("SELECT text FROM messages");
    assert!(
        text[0].contains("Hola") && text[0].contains("tu pedido") && !text[0].contains("alert"),
        "text from the HTML: {}",
        text[0]
    );
    let attachments = rig.column(
        "SELECT filename || '|' || content_type || '|' || size || '|' || inline FROM attachments ORDER BY position",
    );
    assert_eq!(attachments, vec!["factura 2025.pdf|application/pdf|19|0", "logo.png|image/png|8|1"]);
    let customer = rig.count("SELECT customer_id FROM conversations");
    let page = rig.store.read(|c| hilo_store::timeline::customer_timeline(c, customer, None, None)).expect("timeline");
    let Some(hilo_model::TimelineEntry::Message(m)) = page.items.first() else { panic!("a message: {page:?}") };
    let names: Vec<Option<&str>> = m.attachments.iter().map(|a| a.filename.as_deref()).collect();
    assert_eq!(names, vec![Some("factura 2025.pdf"), Some("logo.png")], "the timeline shows them");
    // A resync of the same page does not double them.
    rig.store.write(|tx| Ok(tx.execute("UPDATE sync_state SET cursor = NULL", [])?)).expect("forget cursor");
    rig.sync_inbox().await;
    assert_eq!(rig.count("SELECT count(*) FROM attachments"), 2);
    assert_eq!(rig.count("SELECT count(*) FROM messages"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uidvalidity_change_resyncs_the_folder_without_duplicates() {
    let rig = Rig::start();
    // A folder with a non-ASCII name exercises modified UTF-7 on the way.
    let folder = "Reclamación";
    let encoded = "Reclamaci&APM-n";
    let mut admin = rig.dovecot.client(SUPPORT);
    admin.command(&format!("CREATE \"{encoded}\"")).expect("create folder");
    let seed: Vec<String> = (1..=5)
        .map(|i| {
            let headers: Vec<String> = if i > 1 {
                vec![format!("In-Reply-To: <r{}@example.com>", i - 1), "References: <r1@example.com>".into()]
            } else {
                vec![]
            };
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            mail(
                Some(&format!("r{i}@example.com")),
                "cliente@example.com",
                SUPPORT,
                "Reclamación",
                D1,
                &headers,
                &format!("mensaje {i}"),
            )
        })
        .collect();
    // One without a Message-ID: its synthetic id must be stable across the resync.
    let anonymous = mail(None, "anon@example.com", SUPPORT, "Sin id", D2, &[], "sin identificador");
    for raw in seed.iter().chain(std::iter::once(&anonymous)) {
        admin.append(encoded, "()", raw.as_bytes()).expect("append");
    }
    let before_validity = admin.uid_validity(encoded).expect("uidvalidity");
    rig.sync(rig.config(folder)).await.expect("first sync");
    let before = rig.threads();
    assert_eq!(before.len(), 6);

    // The folder is deleted and recreated (new UIDVALIDITY), the same mail re-appended
    // in another order, plus one new message.
    admin.command(&format!("DELETE \"{encoded}\"")).expect("delete folder");
    admin.command(&format!("CREATE \"{encoded}\"")).expect("recreate folder");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for raw in seed.iter().rev().chain(std::iter::once(&anonymous)) {
        admin.append(encoded, "()", raw.as_bytes()).expect("re-append");
    }
    admin
        .append(
            encoded,
            "()",
            mail(
                Some("r6@example.com"),
                "cliente@example.com",
                SUPPORT,
                "Re: Reclamación",
                D3,
                &["In-Reply-To: <r5@example.com>", "References: <r1@example.com> <r5@example.com>"],
                "mensaje 6",
            )
            .as_bytes(),
        )
        .expect("append new");
    let after_validity = admin.uid_validity(encoded).expect("uidvalidity");
    assert_ne!(before_validity, after_validity, "the server renumbered the folder");

    let report = rig.sync(rig.config(folder)).await.expect("resync");
    assert_eq!(report.messages, 7, "the whole folder was read again: {report:?}");
    let after = rig.threads();
    let mut ids: Vec<&String> = after.iter().map(|(_, m)| m).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(after.len(), 7, "0 duplicates: {after:?}");
    assert_eq!(ids.len(), 7, "each message once");
    for (conv, msg) in &before {
        assert!(after.contains(&(conv.clone(), msg.clone())), "{msg} stayed in its conversation");
    }
    assert_eq!(rig.conversation_of("r6@example.com"), rig.conversation_of("r1@example.com"));
    assert_eq!(rig.count("SELECT count(*) FROM conversations"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn condstore_flag_changes_are_picked_up_and_hilo_keeps_the_status() {
    let rig = Rig::start();
    rig.append("INBOX", &mail(Some("f1@example.com"), "cliente@example.com", SUPPORT, "Duda", D1, &[], "una duda"));
    rig.append("INBOX", &mail(Some("f2@example.com"), "otra@example.com", SUPPORT, "Otra", D2, &[], "otra duda"));
    rig.sync_inbox().await;
    assert_eq!(
        rig.column("SELECT flags FROM mail_headers ORDER BY message_id"),
        vec!["[]", "[]"],
        "BODY.PEEK leaves mail unread"
    );

    // Another mail client flags the first message.
    let mut other = rig.dovecot.client(SUPPORT);
    other.command("SELECT INBOX").expect("select");
    other.command("UID STORE 1 +FLAGS (\\Flagged \\Seen)").expect("store flags");
    let report = rig.sync_inbox().await;
    assert_eq!(report.messages, 1, "only the changed message is read again (CHANGEDSINCE): {report:?}");
    let flags = rig.column("SELECT h.flags FROM mail_headers h JOIN messages m ON m.id = h.message_id WHERE m.remote_id = 'f1@example.com'");
    assert!(flags[0].contains("\\\\Flagged") && flags[0].contains("\\\\Seen"), "{flags:?}");
    assert_eq!(rig.sync_inbox().await.messages, 0, "the stored HIGHESTMODSEQ moved on");

    // The agent resolves the conversation: local state, kept by later syncs...
    let conv = rig.local_conversation_id(&rig.conversation_of("f1@example.com"));
    hilo_core::outbox::queue_status(&rig.store, conv, hilo_model::ConversationStatus::Resolved, None)
        .await
        .expect("status");
    hilo_core::outbox::queue_assign(&rig.store, conv, Some("ana@example.com".into())).await.expect("assign");
    rig.sync_inbox().await;
    let state =
        rig.column(&format!("SELECT status || '|' || coalesce(assignee, '') FROM conversations WHERE id = {conv}"));
    assert_eq!(state, vec!["resolved|ana@example.com"], "status and assignee are Hilo's for a mailbox");
    assert_eq!(rig.count("SELECT count(*) FROM outbox WHERE state <> 'delivered'"), 0, "local changes need no server");
    // ...until the customer writes again, which reopens it.
    rig.append(
        "INBOX",
        &mail(
            Some("f3@example.com"),
            "cliente@example.com",
            SUPPORT,
            "Re: Duda",
            D4,
            &["In-Reply-To: <f1@example.com>", "References: <f1@example.com>"],
            "sigue sin funcionar",
        ),
    );
    rig.sync_inbox().await;
    assert_eq!(rig.column(&format!("SELECT status FROM conversations WHERE id = {conv}")), vec!["open"]);
    let events = rig.column(&format!(
        "SELECT kind || ':' || coalesce(from_value, '') || '>' || coalesce(to_value, '') FROM timeline_events WHERE conversation_id = {conv} ORDER BY id"
    ));
    assert_eq!(
        events,
        vec!["status_changed:open>resolved", "assigned:>ana@example.com", "status_changed:resolved>open"]
    );
}
