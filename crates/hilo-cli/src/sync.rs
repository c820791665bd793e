//! `hilo sync`, `hilo reply` and `hilo outbox`: mirroring helpdesk accounts and sending
//! through the outbox; plus the `chatwoot` variant of `hilo accounts add`.

use std::io::Read;
use std::sync::Arc;

use clap::{Args, Subcommand};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_core::outbox::{self, OutboxEntry, ReplyKind};
use hilo_core::sync::accounts::{
    EmailAccountConfig, MailSecurity, SourceOptions, add_chatwoot_account, add_email_account, helpdesk_accounts,
};
use hilo_core::sync::{SyncConfig, SyncState, SyncStatus, spawn_sync, sync_once};
use hilo_core::{AppCore, CoreError, KeyringSecretStore, SecretStore};
use hilo_model::time::to_rfc3339;
use serde::Serialize;

#[derive(Args)]
pub struct SyncArgs {
    /// One pass (outbox, then every page until caught up) and exit.
    #[arg(long)]
    once: bool,
    /// Only this account (by name).
    #[arg(long, value_name = "NAME")]
    account: Option<String>,
    /// Without --once: stop after SECS seconds (default: run until interrupted).
    #[arg(long = "for", value_name = "SECS", conflicts_with = "once")]
    run_for: Option<u64>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ReplyArgs {
    /// The conversation id as `hilo conversations` shows it.
    conversation_id: i64,
    text: String,
    /// An internal note (only agents see it) instead of a reply to the customer.
    #[arg(long)]
    note: bool,
    /// Only queue it; the next `hilo sync` (or the app) sends it.
    #[arg(long)]
    queue_only: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    action: Option<OutboxAction>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum OutboxAction {
    /// Send a failed item again.
    Retry { id: i64 },
    /// Change the text of a reply or note that has not gone out.
    Edit { id: i64, text: String },
    /// Drop an item that has not gone out (and its pending timeline line).
    Discard { id: i64 },
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::default())
}

async fn options(core: &AppCore) -> Result<SourceOptions, CoreError> {
    let region = core.default_region().await?.unwrap_or(phonenumber::country::Id::US);
    Ok(SourceOptions { region, timeouts: HttpTimeouts::default() })
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CoreError> {
    let s = serde_json::to_string_pretty(value).map_err(|e| CoreError::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountSync {
    account: String,
    #[serde(flatten)]
    report: Option<hilo_core::sync::SyncReport>,
    state: SyncState,
    error: Option<String>,
}

pub async fn run_sync(core: &AppCore, args: SyncArgs) -> Result<(), CoreError> {
    let accounts = helpdesk_accounts(core.store(), secrets(), options(core).await?, args.account.as_deref()).await?;
    if accounts.is_empty() {
        return Err(CoreError::InvalidInput(
            "no helpdesk account yet: add one with `hilo accounts add chatwoot --name N --url URL --account-id ID --token-stdin` \
             or `hilo accounts add email --name N --imap HOST:PORT --smtp HOST:PORT --user U --password-stdin`"
                .into(),
        ));
    }
    if args.once {
        let mut results = Vec::new();
        let mut failed = None;
        for account in accounts {
            let name = account.name.clone();
            match sync_once(core.store(), account, SyncConfig::default()).await {
                Ok(report) => results.push(AccountSync {
                    account: name,
                    report: Some(report),
                    state: SyncState::Idle,
                    error: None,
                }),
                Err(e) => {
                    let state = if matches!(&e, hilo_core::sync::SyncError::Source(s) if s.is_offline()) {
                        SyncState::Offline
                    } else {
                        SyncState::Error
                    };
                    results.push(AccountSync { account: name, report: None, state, error: Some(e.to_string()) });
                    failed.get_or_insert(e);
                }
            }
        }
        if args.json {
            print_json(&results)?;
        } else {
            for r in &results {
                match (&r.report, &r.error) {
                    (Some(rep), _) => println!(
                        "{}: synced — {} conversations, {} messages in {} pages; outbox {} delivered, {} failed",
                        r.account, rep.conversations, rep.messages, rep.pages, rep.delivered, rep.failed
                    ),
                    (None, Some(e)) => println!("{}: {} — {e}", r.account, r.state.as_str()),
                    (None, None) => {}
                }
            }
        }
        return match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        };
    }
    // Continuous: one loop per account until Ctrl-C; state changes are printed.
    let handles: Vec<_> = accounts
        .into_iter()
        .map(|a| {
            let name = a.name.clone();
            (name, spawn_sync(core.store().clone(), a, SyncConfig::default()))
        })
        .collect();
    let mut watchers = tokio::task::JoinSet::new();
    for (name, handle) in &handles {
        let mut rx = handle.subscribe();
        let name = name.clone();
        let json = args.json;
        watchers.spawn(async move {
            while rx.changed().await.is_ok() {
                let status = rx.borrow_and_update().clone();
                print_status(&name, &status, json);
            }
        });
    }
    // Ctrl-C simply ends the process: every page is committed whole or not at all.
    match args.run_for {
        Some(secs) => tokio::time::sleep(std::time::Duration::from_secs(secs)).await,
        None => std::future::pending::<()>().await,
    }
    for (_, handle) in handles {
        handle.shutdown().await;
    }
    watchers.abort_all();
    Ok(())
}

fn print_status(name: &str, s: &SyncStatus, json: bool) {
    if json {
        let line = serde_json::json!({ "account": name, "status": s });
        println!("{line}");
    } else {
        match &s.last_error {
            Some(e) => println!("{}  {name}: {} — {e}", to_rfc3339(s.updated_at), s.state.as_str()),
            None => println!("{}  {name}: {}", to_rfc3339(s.updated_at), s.state.as_str()),
        }
    }
}

pub async fn reply(core: &AppCore, args: ReplyArgs) -> Result<(), CoreError> {
    let kind = if args.note { ReplyKind::Note } else { ReplyKind::Public };
    let queued = outbox::queue_reply(core.store(), args.conversation_id, &args.text, kind).await?;
    let mut entry = core.store().read_async(move |c| outbox::get(c, queued.outbox_id)).await?;
    if !args.queue_only {
        let account_name = core
            .store()
            .read_async(move |c| {
                Ok(c.query_row("SELECT name FROM accounts WHERE id = ?1", [queued.account_id], |r| {
                    r.get::<_, String>(0)
                })?)
            })
            .await?;
        let accounts = helpdesk_accounts(core.store(), secrets(), options(core).await?, Some(&account_name)).await?;
        let mut send_error = None;
        for account in accounts {
            let mut report = outbox::DeliveryReport::default();
            if let Err(e) = outbox::deliver_due(
                core.store(),
                account.id,
                account.source.as_ref(),
                &SyncConfig::default(),
                &mut report,
            )
            .await
            {
                send_error = Some(e.to_string());
            }
        }
        entry = core.store().read_async(move |c| outbox::get(c, queued.outbox_id)).await?;
        if let Some(e) = send_error
            && !args.json
        {
            eprintln!("not sent yet ({e}); it stays queued and goes out with the next `hilo sync`");
        }
    }
    if args.json {
        return print_json(&entry);
    }
    describe(&entry);
    Ok(())
}

fn describe(e: &OutboxEntry) {
    let what = match &e.action {
        hilo_connectors::helpdesk::OutboundAction::Reply { text } => format!("reply {text:?}"),
        hilo_connectors::helpdesk::OutboundAction::Note { text } => format!("note {text:?}"),
        hilo_connectors::helpdesk::OutboundAction::SetStatus { status, .. } => format!("status → {status}"),
        hilo_connectors::helpdesk::OutboundAction::Assign { assignee_id } => {
            format!("assign → {}", assignee_id.as_deref().unwrap_or("nobody"))
        }
    };
    let error = e.last_error.as_deref().map(|x| format!(" — {x}")).unwrap_or_default();
    println!(
        "{:>6}  {:<9} conversation {:<6} attempts {:<3} {}{}",
        e.id,
        e.state.as_str(),
        e.conversation_id,
        e.attempts,
        what,
        error
    );
}

pub async fn outbox(core: &AppCore, args: OutboxArgs) -> Result<(), CoreError> {
    let store = core.store();
    match args.action {
        None => {
            let items = store.read_async(|c| outbox::list_open(c, None)).await?;
            if args.json {
                print_json(&items)?;
            } else {
                items.iter().for_each(describe);
                eprintln!("{} items waiting", items.len());
            }
        }
        Some(OutboxAction::Retry { id }) => describe(&outbox::retry(store, id).await?),
        Some(OutboxAction::Edit { id, text }) => describe(&outbox::edit(store, id, &text).await?),
        Some(OutboxAction::Discard { id }) => {
            outbox::discard(store, id).await?;
            println!("discarded outbox item {id}");
        }
    }
    Ok(())
}

/// `hilo accounts add chatwoot --name N --url URL --account-id ID --token-stdin`.
#[derive(Args)]
pub struct AddChatwootArgs {
    #[arg(long)]
    name: String,
    /// The Chatwoot address, e.g. https://chat.example.com
    #[arg(long)]
    url: String,
    /// The account number in Chatwoot's URLs (`/app/accounts/ID/…`).
    #[arg(long = "account-id", value_name = "ID")]
    account_id: u64,
    /// Read the access token from standard input (the only way: never on the command line).
    #[arg(long = "token-stdin", required = true)]
    token_stdin: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct AddEmailArgs {
    #[arg(long)]
    name: String,
    /// The IMAP server, HOST:PORT (e.g. mail.example.com:993).
    #[arg(long, value_name = "HOST:PORT")]
    imap: String,
    /// The SMTP server for replies, HOST:PORT (e.g. mail.example.com:465).
    #[arg(long, value_name = "HOST:PORT")]
    smtp: String,
    /// The mailbox user name (often the address).
    #[arg(long)]
    user: String,
    /// Read the password from standard input (the only way: never on the command line).
    #[arg(long = "password-stdin", required = true)]
    password_stdin: bool,
    /// tls (default), starttls, or none (only for a server on this machine).
    #[arg(long, default_value = "tls")]
    security: String,
    /// The IMAP folder to follow.
    #[arg(long, default_value = "INBOX")]
    mailbox: String,
    /// The From address of replies (default: the user name when it is an address).
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Adds a shared-mailbox account. The password is read from stdin and goes to the
/// keychain only.
pub async fn add_email(core: &AppCore, args: AddEmailArgs) -> Result<(), CoreError> {
    let AddEmailArgs { name, imap, smtp, user, security, mailbox, address, json, .. } = args;
    let config = EmailAccountConfig { imap, smtp, user, security: MailSecurity::parse(&security)?, mailbox, address };
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| CoreError::io("reading the password from stdin", e))?;
    let trimmed = password.trim_end_matches(['\r', '\n']).to_owned();
    password.clear();
    let id = add_email_account(core.store(), secrets(), &name, config, &trimmed).await?;
    if json {
        print_json(&serde_json::json!({ "id": id, "name": name, "kind": "email" }))?;
    } else {
        println!(
            "Added email account {name:?} (#{id}); its password is in the keychain. Run `hilo sync --once` to fetch."
        );
    }
    Ok(())
}

/// Adds a Chatwoot account. The token is read from stdin and goes to the keychain only;
/// it is never printed, logged or written to the cache.
pub async fn add_chatwoot(core: &AppCore, args: AddChatwootArgs) -> Result<(), CoreError> {
    let AddChatwootArgs { name, url, account_id, json, .. } = args;
    let (name, url) = (name.as_str(), url.as_str());
    let mut token = String::new();
    std::io::stdin().read_to_string(&mut token).map_err(|e| CoreError::io("reading the token from stdin", e))?;
    let id = add_chatwoot_account(core.store(), secrets(), name, url, account_id, token.trim()).await?;
    token.clear();
    if json {
        print_json(&serde_json::json!({ "id": id, "name": name, "kind": "chatwoot" }))?;
    } else {
        println!(
            "Added Chatwoot account {name:?} (#{id}); its token is in the keychain. Run `hilo sync --once` to fetch."
        );
    }
    Ok(())
}

/// The sync state of every account by id, for `hilo accounts list`.
pub async fn sync_states(core: &AppCore) -> Result<Vec<SyncStatus>, CoreError> {
    hilo_core::sync::accounts::sync_statuses(core.store()).await
}
