//! Replies over SMTP: threading headers, the Message-ID made from the outbox key, the
//! echo synced back shown once, and a retry after an unknown outcome.

use hilo_connectors::mail::mime;
use hilo_core::outbox::{self, ReplyKind};
use hilo_core::sync::SyncError;
use hilo_tests::smtp_sink::SinkMessage;

use crate::support::*;

const D1: &str = "Mon, 3 Mar 2025 10:00:00 +0100";
const D2: &str = "Mon, 3 Mar 2025 11:00:00 +0100";

fn timeline_texts(rig: &Rig, conv: i64) -> Vec<String> {
    rig.column(&format!(
        "SELECT text || '|' || direction || '|' || delivery FROM messages WHERE conversation_id = {conv} ORDER BY created_at, id"
    ))
}

/// The sink's messages whose decoded text contains `text`.
fn reply_of(sink: &[SinkMessage], text: &str) -> Vec<SinkMessage> {
    sink.iter()
        .filter(|m| mime::parse(m.data.as_bytes(), None).is_some_and(|p| p.text.contains(text)))
        .cloned()
        .collect()
}

fn subject(m: &SinkMessage) -> Option<String> {
    mime::parse(m.data.as_bytes(), None).and_then(|p| p.subject)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_goes_out_threaded_and_shows_once_after_its_echo() {
    let rig = Rig::start();
    rig.append(
        "INBOX",
        &mail(
            Some("p1@example.com"),
            "\"Claudio Pérez\" <claudio@example.com>",
            SUPPORT,
            "Pedido no llegó",
            D1,
            &[],
            "¿Dónde está mi pedido?",
        ),
    );
    rig.append(
        "INBOX",
        &mail(
            Some("p2@example.com"),
            "\"Claudio Pérez\" <claudio@example.com>",
            SUPPORT,
            "Re: Pedido no llegó",
            D2,
            &[
                "In-Reply-To: <p1@example.com>",
                "References: <p1@example.com>",
                "Reply-To: Claudio <claudio@example.com>",
            ],
            "Sigo esperando.",
        ),
    );
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("p1@example.com"));

    let queued = outbox::queue_reply(&rig.store, conv, "Hola Claudio, ya está en camino.", ReplyKind::Public)
        .await
        .expect("queue");
    let report = rig.sync_inbox().await;
    assert_eq!(report.delivered, 1, "{report:?}");

    let sent = reply_of(&rig.sink.messages(), "ya está en camino");
    assert_eq!(sent.len(), 1, "sent once");
    let m = &sent[0];
    assert_eq!(m.rcpt, vec![CLAUDIO.to_owned()]);
    assert_eq!(m.auth_user.as_deref(), Some(SUPPORT), "submitted with the account's login");
    assert_eq!(m.header("From").as_deref(), Some(SUPPORT));
    assert_eq!(m.header("To").as_deref(), Some(CLAUDIO));
    assert_eq!(subject(m).as_deref(), Some("Re: Pedido no llegó"), "one Re:, the subject decoded intact");
    assert_eq!(m.header("In-Reply-To").as_deref(), Some("<p2@example.com>"), "answers the newest message");
    assert_eq!(
        m.header("References").as_deref(),
        Some("<p1@example.com> <p2@example.com>"),
        "the whole chain, root first"
    );
    let message_id = m.header("Message-ID").expect("Message-ID");
    assert_eq!(message_id, format!("<{}@example.com>", queued.idempotency_key), "the id comes from the outbox key");

    // The customer's own mailbox got it with the same headers.
    let claudio_inbox = rig.dovecot.client(CLAUDIO).headers("INBOX").expect("claudio's inbox");
    assert_eq!(claudio_inbox.len(), 1);
    assert!(claudio_inbox[0].contains("In-Reply-To: <p2@example.com>"), "{}", claudio_inbox[0]);

    // The sent copy is in the shared folder; once synced it is the same timeline line.
    let texts = timeline_texts(&rig, conv);
    assert_eq!(texts.iter().filter(|t| t.starts_with("Hola Claudio")).count(), 1, "shown once: {texts:?}");
    assert_eq!(texts.last().map(String::as_str), Some("Hola Claudio, ya está en camino.|outbound|delivered"));
    let origin =
        rig.column(&format!("SELECT origin FROM messages WHERE remote_id = '{}@example.com'", queued.idempotency_key));
    assert_eq!(origin, vec!["sync"], "the local copy became the synced echo");
    rig.sync_inbox().await;
    assert_eq!(timeline_texts(&rig, conv).len(), 3, "nothing doubles on later syncs");

    // A second reply threads under the first.
    let second = outbox::queue_reply(&rig.store, conv, "¿Te llegó?", ReplyKind::Public).await.expect("queue");
    rig.sync_inbox().await;
    let m2 = reply_of(&rig.sink.messages(), "¿Te llegó?");
    assert_eq!(m2.len(), 1);
    let first_id = format!("<{}@example.com>", queued.idempotency_key);
    assert_eq!(m2[0].header("In-Reply-To"), Some(first_id.clone()));
    assert_eq!(m2[0].header("References"), Some(format!("<p1@example.com> <p2@example.com> {first_id}")));
    assert_eq!(m2[0].header("Message-ID"), Some(format!("<{}@example.com>", second.idempotency_key)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_keeps_everyone_the_customer_copied_but_never_the_mailbox_itself() {
    let rig = Rig::start();
    rig.append(
        "INBOX",
        &mail(
            Some("cc1@example.com"),
            "\"Claudio Pérez\" <claudio@example.com>",
            &format!("Soporte <{SUPPORT}>, \"Ana López\" <ANA@example.com>"),
            "Factura de la empresa",
            D1,
            &[&format!("Cc: luis@example.com, {}, claudio@example.com", SUPPORT.to_uppercase())],
            "Os copio a Ana y Luis, de contabilidad.",
        ),
    );
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("cc1@example.com"));
    // The composer says who will get the reply before the agent writes it.
    let details = hilo_core::composer::conversation_details(&rig.store, conv).await.expect("details");
    assert_eq!(details.mail_to, [CLAUDIO]);
    assert_eq!(details.mail_cc, ["ana@example.com", "luis@example.com"]);
    outbox::queue_reply(&rig.store, conv, "Os enviamos la factura corregida.", ReplyKind::Public).await.expect("queue");
    let report = rig.sync_inbox().await;
    assert_eq!(report.delivered, 1, "{report:?}");

    let sent = reply_of(&rig.sink.messages(), "factura corregida");
    assert_eq!(sent.len(), 1, "sent once");
    let m = &sent[0];
    assert_eq!(
        m.rcpt,
        vec![CLAUDIO.to_owned(), "ana@example.com".to_owned(), "luis@example.com".to_owned()],
        "the customer, then everyone they copied, each once; never the shared mailbox"
    );
    assert_eq!(m.header("To").as_deref(), Some(CLAUDIO));
    assert_eq!(m.header("Cc").as_deref(), Some("ana@example.com, luis@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_an_unknown_outcome_reuses_the_message_id_and_shows_once() {
    let rig = Rig::start();
    rig.append(
        "INBOX",
        &mail(
            Some("u1@example.com"),
            CLAUDIO,
            SUPPORT,
            "Cambio de dirección",
            D1,
            &[],
            "Nueva dirección: calle Mayor 1",
        ),
    );
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("u1@example.com"));
    // The server takes the message, then the connection drops before it says so.
    rig.sink.drop_after_data(1);
    let queued =
        outbox::queue_reply(&rig.store, conv, "Dirección actualizada.", ReplyKind::Public).await.expect("queue");
    let err = rig.sync(rig.config("INBOX")).await.expect_err("the outcome is unknown");
    assert!(matches!(&err, SyncError::Source(s) if s.is_offline()), "{err}");
    assert!(err.to_string().contains(ACCOUNT), "names the account: {err}");
    let state = rig.column(&format!("SELECT state FROM outbox WHERE id = {}", queued.outbox_id));
    assert_eq!(state, vec!["queued"], "kept for a retry");

    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    rig.sync_inbox().await;
    let sent = reply_of(&rig.sink.messages(), "Dirección actualizada");
    assert_eq!(sent.len(), 2, "SMTP cannot know: the message went twice");
    assert_eq!(
        sent[0].header("Message-ID"),
        sent[1].header("Message-ID"),
        "with one Message-ID, which mail clients merge"
    );
    let texts = timeline_texts(&rig, conv);
    assert_eq!(texts.iter().filter(|t| t.starts_with("Dirección actualizada")).count(), 1, "shown once: {texts:?}");
    assert_eq!(rig.column(&format!("SELECT state FROM outbox WHERE id = {}", queued.outbox_id)), vec!["delivered"]);

    // An attempt after a lost acknowledgement whose copy did land is not sent again.
    let another = outbox::queue_reply(&rig.store, conv, "Último aviso.", ReplyKind::Public).await.expect("queue");
    let key = another.idempotency_key.clone();
    let copy = format!(
        "Message-ID: <{key}@example.com>\r\nFrom: {SUPPORT}\r\nTo: {CLAUDIO}\r\nSubject: Re: Cambio de dirección\r\nDate: {D2}\r\n\
In-Reply-To: <u1@example.com>\r\nReferences: <u1@example.com>\r\n\r\nÚltimo aviso.\r\n"
    );
    rig.append("INBOX", &copy);
    rig.store
        .write(|tx| Ok(tx.execute("UPDATE outbox SET attempts = 1 WHERE idempotency_key = ?1", [&key])?))
        .expect("mark one attempt");
    rig.sync_inbox().await;
    assert_eq!(reply_of(&rig.sink.messages(), "Último aviso").len(), 0, "found in the folder: not resent");
    let texts = timeline_texts(&rig, conv);
    assert_eq!(texts.iter().filter(|t| t.starts_with("Último aviso")).count(), 1, "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_local_and_need_no_server() {
    let rig = Rig::start();
    rig.append("INBOX", &mail(Some("n1@example.com"), CLAUDIO, SUPPORT, "Consulta", D1, &[], "Hola"));
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("n1@example.com"));
    let note = outbox::queue_reply(&rig.store, conv, "Reposición enviada, llega en 1 día", ReplyKind::Note)
        .await
        .expect("note");
    // Both servers gone: the note is delivered all the same (it never leaves Hilo).
    let mut dead = rig.config("INBOX");
    dead.imap.port = hilo_tests::free_port();
    dead.smtp.port = hilo_tests::free_port();
    let err = rig.sync(dead).await.expect_err("the pull fails");
    assert!(err.to_string().contains("connection refused"), "{err}");
    assert_eq!(rig.column(&format!("SELECT state FROM outbox WHERE id = {}", note.outbox_id)), vec!["delivered"]);
    assert!(rig.sink.messages().is_empty(), "a note is never mailed");
    let notes = rig.column(&format!(
        "SELECT kind || '|' || delivery FROM messages WHERE conversation_id = {conv} AND kind = 'note'"
    ));
    assert_eq!(notes, vec!["note|delivered"]);
}
