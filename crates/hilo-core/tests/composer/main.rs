//! The composer's and Settings' core: snippet search, the agent's profile, replies and
//! header actions through the outbox to the Chatwoot simulator, and accounts saved with
//! their secrets in the keychain only (a `MemorySecretStore` here).

use std::sync::Arc;

use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_core::account_settings::{list_account_views, remove_account, save_account};
use hilo_core::composer::{self, AGENT_PROFILE_KEY};
use hilo_core::demo::DemoOptions;
use hilo_core::sync::accounts::{SourceOptions, helpdesk_accounts};
use hilo_core::sync::{SyncConfig, sync_once};
use hilo_core::{AccountKeys, AppCore, CoreError, MemorySecretStore, SecretError, SecretStore};
use hilo_model::account_settings::{
    AccountSave, AccountSettings, AmiAccountSettings, ChatwootAccountSettings, CtiAccountSettings,
};
use hilo_model::composer::{AgentProfile, OutboxItemState};
use hilo_model::{ConversationStatus, DeliveryState, TimelineEntry};
use hilo_tests::chatwoot_sim::{ChatwootSim, SimConfig};
use serde_json::json;

struct Desk {
    _dir: tempfile::TempDir,
    core: AppCore,
    secrets: Arc<MemorySecretStore>,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(MemorySecretStore::default());
    let core = AppCore::open(dir.path(), secrets.as_ref()).expect("open workspace");
    Desk { _dir: dir, core, secrets }
}

fn secrets(d: &Desk) -> Arc<dyn SecretStore> {
    d.secrets.clone()
}

/// What the keychain holds for the account called `name` in this workspace.
async fn keychain(d: &Desk, name: &str) -> Option<String> {
    let entry = AccountKeys::of(d.core.store()).await.expect("keychain scope").name(name);
    d.secrets.get(&entry).expect("keychain")
}

fn chatwoot(sim: &ChatwootSim) -> AccountSettings {
    AccountSettings::Chatwoot(ChatwootAccountSettings { url: sim.base_url(), account_id: sim.account_id() })
}

fn new_account(name: &str, settings: AccountSettings, secret: Option<&str>) -> AccountSave {
    AccountSave { id: None, name: name.into(), settings, secret: secret.map(str::to_owned) }
}

/// Every string in the cache file's tables, to prove a secret is not among them.
async fn cache_text(core: &AppCore) -> String {
    core.store()
        .read_async(|c| {
            let mut out = String::new();
            for table in ["accounts", "settings", "sync_state", "outbox"] {
                let mut stmt = c.prepare(&format!("SELECT * FROM {table}"))?;
                let n = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    for i in 0..n {
                        if let Ok(Some(v)) = r.get::<_, Option<String>>(i) {
                            out.push_str(&v);
                            out.push('\n');
                        }
                    }
                }
            }
            Ok(out)
        })
        .await
        .expect("read the cache")
}

#[tokio::test]
async fn snippets_are_found_by_shortcut_title_or_body_in_the_agents_language_first() {
    let d = desk();
    d.core.load_demo(DemoOptions { customers: 5, seed: 1, now: 1_750_000_000_000 }).await.expect("demo");
    let search = |q: &'static str, lang: &'static str| {
        d.core.store().read_async(move |c| composer::search_snippets(c, q, lang, None))
    };
    let es = search("disc", "es").await.expect("search");
    assert_eq!(es[0].shortcut, "disculpa", "a shortcut prefix comes first: {es:?}");
    assert_eq!(es[0].language, "es", "the agent's language first");
    let en = search("disc", "en").await.expect("search");
    assert_eq!((en[0].shortcut.as_str(), en[0].language.as_str()), ("disculpa", "en"));
    assert!(en.iter().any(|s| s.language == "es"), "other languages still follow");
    let accents = search("devolucion", "es").await.expect("search");
    assert!(accents.iter().any(|s| s.title == "Devoluciones"), "accents are ignored: {accents:?}");
    let body = search("/compensación", "es").await.expect("search");
    assert!(
        body.first().is_some_and(|s| s.shortcut == "disculpa"),
        "body words match, and the leading slash is the picker's, not part of the query: {body:?}"
    );
    let apology = &es[0].body;
    for step in ["entiendo", "disculpas", "explico", "solucionado", "compensación", "Gracias"] {
        assert!(apology.contains(step), "the apology walks through every step; missing {step:?}: {apology}");
    }
    let all = search("", "en").await.expect("search");
    assert!(all.len() >= 12, "an empty query lists the snippets");
    assert!(all.iter().take_while(|s| s.language == "en").count() >= 6, "English first: {all:?}");
    assert!(search("zzz nothing", "es").await.expect("search").is_empty());
}

#[tokio::test]
async fn the_agents_name_is_one_setting_for_signatures_and_mine_alerts() {
    let d = desk();
    assert_eq!(composer::agent_profile(d.core.store()).await.expect("profile"), AgentProfile { name: None });
    let saved = composer::set_agent_profile(d.core.store(), AgentProfile { name: Some("  Ana García ".into()) })
        .await
        .expect("save");
    assert_eq!(saved.name.as_deref(), Some("Ana García"), "trimmed");
    let alerts = d.core.sla_settings().await.expect("alert settings");
    assert_eq!(alerts.agent.as_deref(), Some("Ana García"), "\"mine\" alerts compare with the same name");
    let err = composer::set_agent_profile(d.core.store(), AgentProfile { name: Some("Ana\nGarcía".into()) })
        .await
        .expect_err("two lines refused");
    assert!(matches!(err, CoreError::InvalidInput(_)), "{err:?}");
    assert_eq!(
        composer::agent_profile(d.core.store()).await.expect("profile").name.as_deref(),
        Some("Ana García"),
        "a refused save changes nothing"
    );
    // A workspace from before the profile: the alert settings' agent is the name.
    d.core
        .store()
        .write_async(|tx| {
            tx.execute("DELETE FROM settings WHERE key = ?1", [AGENT_PROFILE_KEY])?;
            Ok(())
        })
        .await
        .expect("forget the profile");
    assert_eq!(composer::agent_profile(d.core.store()).await.expect("profile").name.as_deref(), Some("Ana García"));
}

struct Synced {
    d: Desk,
    sim: ChatwootSim,
    remote: i64,
    conversation: i64,
    customer: i64,
}

async fn synced_workspace() -> Synced {
    let sim = ChatwootSim::start(SimConfig::default());
    let inbox = sim.add_inbox("Channel::FacebookPage", None);
    let contact = sim.add_contact(Some("Claudio Pérez"), None, Some("+34600123456"), None, json!({}));
    let remote = sim.add_conversation(inbox, contact, json!({}));
    sim.add_message(remote, 0, false, Some("Mi pedido no ha llegado"), json!({}));
    let d = desk();
    save_account(&d.core, secrets(&d), new_account("Soporte", chatwoot(&sim), Some(&sim.token())))
        .await
        .expect("add the account");
    sync(&d).await.expect("first sync");
    let (conversation, customer) = d
        .core
        .store()
        .read_async(|c| {
            Ok(c.query_row("SELECT id, customer_id FROM conversations", [], |r| Ok((r.get(0)?, r.get(1)?)))?)
        })
        .await
        .expect("the synced conversation");
    Synced { d, sim, remote, conversation, customer }
}

async fn sync(d: &Desk) -> Result<(), CoreError> {
    let options = SourceOptions { region: phonenumber::country::Id::ES, timeouts: HttpTimeouts::default() };
    for account in helpdesk_accounts(d.core.store(), secrets(d), options, None).await? {
        sync_once(d.core.store(), account, SyncConfig::default()).await?;
    }
    Ok(())
}

async fn own_messages(d: &Desk, customer: i64) -> Vec<hilo_model::TimelineMessage> {
    let page = d.core.full_timeline(customer).await.expect("timeline");
    page.items
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Message(m) if m.direction == hilo_model::Direction::Outbound => Some(m),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_reply_written_offline_is_pending_at_once_and_delivered_once_when_back() {
    let s = synced_workspace().await;
    composer::set_agent_profile(s.d.core.store(), AgentProfile { name: Some("Ana García".into()) })
        .await
        .expect("name");
    s.sim.set_offline(true);
    let queued = composer::send_reply(s.d.core.store(), s.conversation, "Hola Claudio, ya está en camino", false)
        .await
        .expect("queued");
    let mine = own_messages(&s.d, s.customer).await;
    assert_eq!(mine.len(), 1, "the reply is in the timeline at once");
    assert_eq!(mine[0].delivery, DeliveryState::Pending);
    assert_eq!(mine[0].author.as_deref(), Some("Ana García"), "signed with the agent's name while pending");
    let outbox = mine[0].outbox.as_ref().expect("a pending message carries its outbox item");
    assert_eq!((outbox.id, outbox.state), (queued.outbox_id, OutboxItemState::Queued));

    assert!(sync(&s.d).await.is_err(), "offline: the sync fails and the reply waits");
    let mine = own_messages(&s.d, s.customer).await;
    let outbox = mine[0].outbox.as_ref().expect("still waiting");
    assert_eq!(outbox.state, OutboxItemState::Queued, "an offline server keeps it queued, not failed");
    assert!(outbox.last_error.as_deref().is_some_and(|e| e.contains("cannot be reached")), "{outbox:?}");

    s.sim.set_offline(false);
    // What "Sync now" does: the item waiting out its backoff goes now.
    assert_eq!(composer::outbox_due_now(s.d.core.store(), None).await.expect("due now"), 1);
    sync(&s.d).await.expect("back online");
    sync(&s.d).await.expect("and again: nothing is sent twice");
    let mine = own_messages(&s.d, s.customer).await;
    assert_eq!(mine.len(), 1, "the remote echo is reconciled with the local copy, never shown twice");
    assert_eq!(mine[0].delivery, DeliveryState::Delivered);
    assert_eq!(mine[0].outbox, None, "a delivered message has no open outbox item");
    let created =
        s.sim.messages().iter().filter(|m| m.content.as_deref() == Some("Hola Claudio, ya está en camino")).count();
    assert_eq!(created, 1, "the helpdesk received it exactly once");
}

#[tokio::test]
async fn a_refused_note_fails_visibly_and_can_be_edited_and_sent() {
    let s = synced_workspace().await;
    s.sim.override_response("/messages", 422, r#"{"error":"Content is too long"}"#);
    composer::send_reply(s.d.core.store(), s.conversation, "Nota interna", true).await.expect("queued");
    sync(&s.d).await.expect("a refused item does not fail the sync");
    let mine = own_messages(&s.d, s.customer).await;
    assert_eq!(mine[0].kind, hilo_model::MessageKind::Note);
    assert_eq!(mine[0].delivery, DeliveryState::Failed);
    let item = mine[0].outbox.clone().expect("the failed item");
    assert_eq!(item.state, OutboxItemState::Failed);
    assert!(item.last_error.as_deref().is_some_and(|e| e.contains("too long")), "the server's reason: {item:?}");

    s.sim.clear_overrides();
    hilo_core::outbox::edit(s.d.core.store(), item.id, "Nota interna, corta").await.expect("edit");
    sync(&s.d).await.expect("sync");
    let mine = own_messages(&s.d, s.customer).await;
    assert_eq!((mine.len(), mine[0].delivery), (1, DeliveryState::Delivered));
    assert_eq!(mine[0].text, "Nota interna, corta");
    assert!(s.sim.messages().iter().any(|m| m.private && m.content.as_deref() == Some("Nota interna, corta")));
}

#[tokio::test]
async fn status_and_assignment_apply_at_once_and_reach_the_helpdesk() {
    let s = synced_workspace().await;
    composer::set_agent_profile(s.d.core.store(), AgentProfile { name: Some("Agent 2".into()) }).await.expect("name");
    let store = s.d.core.store();

    let err = composer::set_status(store, s.conversation, ConversationStatus::Snoozed, None).await;
    assert!(matches!(err, Err(CoreError::InvalidInput(_))), "snoozing needs an end: {err:?}");
    let d = composer::set_status(store, s.conversation, ConversationStatus::Pending, None).await.expect("pending");
    assert_eq!(d.status, ConversationStatus::Pending, "applied locally at once");
    let d = composer::assign(store, s.conversation, Some("Agent 2".into())).await.expect("assign to me");
    assert_eq!(d.assignee.as_deref(), Some("Agent 2"));

    let timeline = s.d.core.full_timeline(s.customer).await.expect("timeline");
    let events: Vec<_> = timeline
        .items
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Event(ev) => Some((ev.to.clone(), ev.actor.clone())),
            _ => None,
        })
        .collect();
    assert!(events.contains(&(Some("pending".into()), Some("Agent 2".into()))), "{events:?}");
    assert!(events.contains(&(Some("Agent 2".into()), Some("Agent 2".into()))), "{events:?}");

    sync(&s.d).await.expect("deliver");
    assert_eq!(s.sim.conversation_status(s.remote).as_deref(), Some("pending"));
    assert_eq!(s.sim.conversation_assignee(s.remote), Some(2), "the name became Chatwoot's agent id");
    let d = composer::conversation_details(store, s.conversation).await.expect("details");
    assert_eq!(
        (d.status, d.assignee.as_deref()),
        (ConversationStatus::Pending, Some("Agent 2")),
        "the sync's echo agrees"
    );

    composer::assign(store, s.conversation, Some("Nobody Known".into())).await.expect("queued");
    sync(&s.d).await.expect("a refused assignment does not fail the sync");
    let open = store.read_async(|c| hilo_core::outbox::list_open(c, None)).await.expect("outbox");
    assert_eq!(open.len(), 1, "the refused assignment stays visible");
    assert!(open[0].last_error.as_deref().is_some_and(|e| e.contains("no agent named \"Nobody Known\"")), "{open:?}");
}

#[tokio::test]
async fn accounts_keep_their_secrets_in_the_keychain_only() {
    let d = desk();
    let sim = ChatwootSim::start(SimConfig::default());
    let token = sim.token();
    let missing = save_account(&d.core, secrets(&d), new_account("Soporte", chatwoot(&sim), None)).await;
    assert!(matches!(missing, Err(CoreError::InvalidInput(_))), "a new account needs its token: {missing:?}");
    let view =
        save_account(&d.core, secrets(&d), new_account("Soporte", chatwoot(&sim), Some(&token))).await.expect("add");
    assert!(view.has_secret);
    assert_eq!(keychain(&d, "Soporte").await.as_deref(), Some(token.as_str()));
    let listed = serde_json::to_string(&list_account_views(&d.core, secrets(&d)).await.expect("list")).expect("json");
    assert!(!listed.contains(&token), "the token never goes back to the UI: {listed}");
    assert!(!cache_text(&d.core).await.contains(&token), "nor into the cache");

    // Edit with the secret left blank: kept; rename: moved with the account.
    let edit = AccountSave {
        id: Some(view.id),
        name: "Soporte web".into(),
        settings: AccountSettings::Chatwoot(ChatwootAccountSettings {
            url: format!("{}/", sim.base_url()),
            account_id: 7,
        }),
        secret: Some(String::new()),
    };
    let edited = save_account(&d.core, secrets(&d), edit.clone()).await.expect("edit");
    assert_eq!((edited.id, edited.name.as_str()), (view.id, "Soporte web"));
    assert_eq!(keychain(&d, "Soporte web").await.as_deref(), Some(token.as_str()));
    assert_eq!(keychain(&d, "Soporte").await, None, "the old name's entry is gone");
    sync(&d).await.expect("the renamed account still syncs with the kept token");

    let replaced = AccountSave { secret: Some("new-token".into()), ..edit.clone() };
    save_account(&d.core, secrets(&d), replaced).await.expect("new token");
    assert_eq!(keychain(&d, "Soporte web").await.as_deref(), Some("new-token"));

    let to_ami = AccountSave { settings: AccountSettings::Ami(AmiAccountSettings::default()), ..edit.clone() };
    assert!(save_account(&d.core, secrets(&d), to_ami).await.is_err(), "the kind cannot change in place");
    let bad_url = AccountSave {
        settings: AccountSettings::Chatwoot(ChatwootAccountSettings { url: "chat.example".into(), account_id: 7 }),
        ..edit
    };
    assert!(matches!(save_account(&d.core, secrets(&d), bad_url).await, Err(CoreError::InvalidInput(_))));

    let removed = remove_account(&d.core, secrets(&d), view.id).await.expect("remove");
    assert_eq!(removed, "Soporte web");
    assert_eq!(keychain(&d, "Soporte web").await, None, "its secret goes with it");
    assert!(list_account_views(&d.core, secrets(&d)).await.expect("list").is_empty());
}

#[tokio::test]
async fn an_edit_keeps_the_settings_the_form_does_not_show() {
    let d = desk();
    let ami = AmiAccountSettings {
        host: "pbx.example".into(),
        username: "hilo".into(),
        endpoint: "PJSIP/1986".into(),
        dial_prefix: Some("00".into()),
        ..AmiAccountSettings::default()
    };
    let view = save_account(
        &d.core,
        secrets(&d),
        new_account("Centralita", AccountSettings::Ami(ami.clone()), Some("s3cret")),
    )
    .await
    .expect("add");
    d.core
        .store()
        .write_async(move |tx| {
            tx.execute(
                "UPDATE accounts SET config = json_set(config, '$.keepaliveSecs', 45) WHERE id = ?1",
                [view.id],
            )?;
            Ok(())
        })
        .await
        .expect("a setting only the CLI or a newer version writes");
    let edited = AmiAccountSettings { endpoint: "PJSIP/2000".into(), dial_prefix: None, ..ami };
    let save = AccountSave {
        id: Some(view.id),
        name: "Centralita".into(),
        settings: AccountSettings::Ami(edited),
        secret: None,
    };
    save_account(&d.core, secrets(&d), save).await.expect("edit");
    let config: serde_json::Value = d
        .core
        .store()
        .read_async(move |c| {
            Ok(c.query_row("SELECT config FROM accounts WHERE id = ?1", [view.id], |r| r.get::<_, String>(0))?)
        })
        .await
        .map(|s| serde_json::from_str(&s).expect("json"))
        .expect("config");
    assert_eq!(config["endpoint"], "PJSIP/2000");
    assert_eq!(config["keepaliveSecs"], 45, "not on the form, so kept");
    assert!(config.get("dialPrefix").is_none(), "cleared on the form, so cleared: {config}");
    assert_eq!(keychain(&d, "Centralita").await.as_deref(), Some("s3cret"));

    let outside = AccountSave {
        id: None,
        name: "CTI".into(),
        settings: AccountSettings::CtiWebhook(CtiAccountSettings {
            listen: "0.0.0.0:8089".into(),
            extension: "1986".into(),
            blocked_numbers: vec![],
        }),
        secret: Some("tok".into()),
    };
    let err = save_account(&d.core, secrets(&d), outside).await.expect_err("loopback only");
    assert!(err.to_string().contains("loopback"), "{err}");
    assert_eq!(keychain(&d, "CTI").await, None, "nothing stored for a refused account");
}

/// A keychain that refuses everything.
struct LockedKeychain;

impl SecretStore for LockedKeychain {
    fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
        Err(SecretError::Unavailable("locked".into()))
    }
    fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable("locked".into()))
    }
    fn delete(&self, _: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable("locked".into()))
    }
}

#[tokio::test]
async fn no_account_row_without_its_secret_in_the_keychain() {
    let d = desk();
    let sim = ChatwootSim::start(SimConfig::default());
    let err = save_account(&d.core, Arc::new(LockedKeychain), new_account("Soporte", chatwoot(&sim), Some("tok")))
        .await
        .expect_err("the keychain is locked");
    assert!(matches!(err, CoreError::KeychainUnavailable { .. }), "{err:?}");
    assert!(list_account_views(&d.core, secrets(&d)).await.expect("list").is_empty(), "no half-added account");
}
