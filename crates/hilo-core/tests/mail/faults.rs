//! Failures name the account and the server, and lose nothing: a dead server, a wrong
//! password, a missing folder, TLS with and without a trusted certificate.

use hilo_connectors::helpdesk::SourceError;
use hilo_connectors::mail::Security;
use hilo_core::outbox::OutboxState;
use hilo_core::outbox::{self, ReplyKind};
use hilo_core::sync::SyncError;
use hilo_tests::dovecot::{Dovecot, test_ca_pem};
use hilo_tests::smtp_sink::SinkTls;

use crate::support::*;

const D1: &str = "Mon, 3 Mar 2025 10:00:00 +0100";

fn source_error(e: SyncError) -> SourceError {
    match e {
        SyncError::Source(s) => s,
        other => panic!("expected a source error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_server_is_named_and_the_reply_stays_queued() {
    let rig = Rig::start();
    rig.append("INBOX", &mail(Some("d1@example.com"), CLAUDIO, SUPPORT, "Consulta", D1, &[], "Hola"));
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("d1@example.com"));
    let queued = outbox::queue_reply(&rig.store, conv, "Respuesta", ReplyKind::Public).await.expect("queue");

    let mut dead = rig.config("INBOX");
    let (imap_port, smtp_port) = (hilo_tests::free_port(), hilo_tests::free_port());
    dead.imap.port = imap_port;
    dead.smtp.port = smtp_port;
    let err = source_error(rig.sync(dead).await.expect_err("nothing listens there"));
    let msg = err.to_string();
    assert!(err.is_offline(), "{msg}");
    assert!(
        msg.contains(ACCOUNT)
            && msg.contains(&format!("SMTP server 127.0.0.1:{smtp_port}"))
            && msg.contains("connection refused"),
        "{msg}"
    );
    let row = rig.column(&format!(
        "SELECT state || '|' || attempts || '|' || last_error FROM outbox WHERE id = {}",
        queued.outbox_id
    ));
    assert!(row[0].starts_with("queued|1|") && row[0].contains(ACCOUNT), "kept with the reason: {row:?}");
    let pending = rig.column(&format!("SELECT delivery FROM messages WHERE id = {}", queued.message_id.unwrap_or(0)));
    assert_eq!(pending, vec!["pending"], "still shown as pending");
    assert!(rig.sink.messages().is_empty());

    // The IMAP side alone dead: the pull names the IMAP server.
    let mut imap_dead = rig.config("INBOX");
    imap_dead.imap.port = imap_port;
    rig.store.write(|tx| Ok(tx.execute("UPDATE outbox SET next_attempt_at = 0", [])?)).expect("due now");
    let err = source_error(rig.sync(imap_dead).await.expect_err("IMAP is down"));
    assert!(err.to_string().contains(&format!("IMAP server 127.0.0.1:{imap_port}")), "{err}");
    assert!(
        rig.sink.messages().is_empty(),
        "a retry first looks for an earlier copy over IMAP: with IMAP down it waits rather than risk a double send"
    );

    // Servers back (after the short test backoff): sent once, echo synced, nothing doubled.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    rig.sync_inbox().await;
    assert_eq!(rig.sink.messages().len(), 1);
    assert_eq!(rig.column(&format!("SELECT state FROM outbox WHERE id = {}", queued.outbox_id)), vec!["delivered"]);
    assert_eq!(rig.count(&format!("SELECT count(*) FROM messages WHERE conversation_id = {conv}")), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_a_missing_folder_is_a_clear_error() {
    let rig = Rig::start();
    let mut wrong = rig.config("INBOX");
    wrong.password = "not-the-password".into();
    let err = source_error(rig.sync(wrong).await.expect_err("refused"));
    assert!(matches!(err, SourceError::AuthFailed { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(ACCOUNT) && msg.contains("refused the login") && msg.contains(SUPPORT), "{msg}");
    assert!(!msg.contains("not-the-password"), "the password never shows: {msg}");
    let status = rig.column("SELECT state || '|' || last_error FROM sync_state");
    assert!(status[0].starts_with("error|") && status[0].contains("refused the login"), "{status:?}");

    let err = source_error(rig.sync(rig.config("Archivo/2019")).await.expect_err("no such folder"));
    let msg = err.to_string();
    assert!(
        matches!(err, SourceError::Config { .. }) && msg.contains("\"Archivo/2019\"") && msg.contains(ACCOUNT),
        "{msg}"
    );

    // SMTP refusing the login fails the item visibly? No: the account's login is wrong,
    // the item waits (it is not the reply's fault) with the reason.
    rig.append("INBOX", &mail(Some("w1@example.com"), CLAUDIO, SUPPORT, "Hola", D1, &[], "Hola"));
    rig.sync_inbox().await;
    let conv = rig.local_conversation_id(&rig.conversation_of("w1@example.com"));
    let queued = outbox::queue_reply(&rig.store, conv, "Respuesta", ReplyKind::Public).await.expect("queue");
    let mut bad_smtp = rig.config("INBOX");
    bad_smtp.password = "nope".into();
    let err = rig.sync(bad_smtp).await.expect_err("refused");
    assert!(err.to_string().contains("refused the login"), "{err}");
    let row = rig.column(&format!("SELECT state FROM outbox WHERE id = {}", queued.outbox_id));
    assert_eq!(row, vec!["queued"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_starttls_verify_the_server_certificate() {
    let rig = Rig::with(Dovecot::start_with_tls(&[(SUPPORT, SUPPORT_PASSWORD), (CLAUDIO, CLAUDIO_PASSWORD)]));
    rig.append("INBOX", &mail(Some("t1@example.com"), CLAUDIO, SUPPORT, "Cifrado", D1, &[], "por TLS"));
    let imaps = rig.dovecot.imaps_port.expect("imaps port");

    let mut untrusted = rig.config("INBOX");
    untrusted.security = Security::Tls;
    untrusted.imap.host = "localhost".into();
    untrusted.imap.port = imaps;
    let err = source_error(rig.sync(untrusted.clone()).await.expect_err("unknown issuer"));
    let msg = err.to_string();
    assert!(matches!(err, SourceError::Config { .. }) && msg.contains("TLS") && msg.contains(ACCOUNT), "{msg}");

    let mut tls = untrusted;
    tls.extra_roots_pem = vec![test_ca_pem()];
    let report = rig.sync(tls).await.expect("IMAPS with the test CA");
    assert_eq!(report.messages, 1);

    rig.append(
        "INBOX",
        &mail(
            Some("t2@example.com"),
            CLAUDIO,
            SUPPORT,
            "Re: Cifrado",
            D1,
            &["In-Reply-To: <t1@example.com>"],
            "por STARTTLS",
        ),
    );
    let mut starttls = rig.config("INBOX");
    starttls.security = Security::Starttls;
    starttls.imap.host = "localhost".into();
    starttls.extra_roots_pem = vec![test_ca_pem()];
    // Nothing is queued, so only the IMAP side (STARTTLS on the plain port) is used.
    let report = rig.sync(starttls).await.expect("STARTTLS with the test CA");
    assert_eq!(report.messages, 1);
    assert_eq!(rig.conversation_of("t2@example.com"), rig.conversation_of("t1@example.com"));
    assert!(rig.dovecot.log().contains("TLS"), "dovecot saw TLS sessions:\n{}", rig.dovecot.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_go_out_over_smtps_and_starttls() {
    for (security, sink_tls) in [(Security::Tls, SinkTls::Wrapper), (Security::Starttls, SinkTls::Starttls)] {
        let dovecot = Dovecot::start_with_tls(&[(SUPPORT, SUPPORT_PASSWORD), (CLAUDIO, CLAUDIO_PASSWORD)]);
        let rig = Rig::secured(dovecot, sink_tls);
        rig.append("INBOX", &mail(Some("s1@example.com"), CLAUDIO, SUPPORT, "Seguro", D1, &[], "hola"));
        let mut cfg = rig.config("INBOX");
        cfg.security = security;
        if security == Security::Tls {
            cfg.imap.port = rig.dovecot.imaps_port.expect("imaps port");
        }
        cfg.extra_roots_pem = vec![test_ca_pem()];
        rig.sync(cfg.clone()).await.unwrap_or_else(|e| panic!("{security:?} sync: {e}"));
        let conv = rig.local_conversation_id(&rig.conversation_of("s1@example.com"));
        let queued =
            outbox::queue_reply(&rig.store, conv, "Respuesta cifrada", ReplyKind::Public).await.expect("queue");
        rig.sync(cfg.clone()).await.unwrap_or_else(|e| panic!("{security:?} reply: {e}"));
        let sent = rig.sink.messages();
        assert_eq!(sent.len(), 1, "{security:?}");
        assert!(sent[0].secured, "{security:?}: the reply and the password went over TLS");
        assert_eq!(sent[0].auth_user.as_deref(), Some(SUPPORT));
        let entry = rig.store.read(move |c| outbox::get(c, queued.outbox_id)).expect("entry");
        assert_eq!(entry.state, OutboxState::Delivered, "{security:?}");

        // Without the test CA the SMTP server's certificate is refused: nothing is sent.
        let mut untrusted = cfg;
        untrusted.extra_roots_pem.clear();
        let err = source_error(
            rig.account(untrusted)
                .source
                .push(hilo_connectors::helpdesk::OutboundItem {
                    key: "hilo-00000000000000000000000000000001".into(),
                    conversation_remote_id: "s1@example.com".into(),
                    channel: hilo_model::Channel::Email,
                    action: hilo_connectors::helpdesk::OutboundAction::Reply { text: "x".into() },
                    attempt: 1,
                    queued_after: None,
                    reply_to: Some(hilo_connectors::helpdesk::ReplyContext {
                        to: vec![CLAUDIO.into()],
                        ..Default::default()
                    }),
                })
                .await
                .map_err(SyncError::Source)
                .expect_err("untrusted certificate"),
        );
        assert!(matches!(err, SourceError::Config { .. }) && err.to_string().contains("TLS"), "{security:?}: {err}");
        assert_eq!(rig.sink.messages().len(), 1, "nothing sent to an unverified server");
    }
}
