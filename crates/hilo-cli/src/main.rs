//! `hilo`: the local cache from the command line, for agents' scripts and for tests.
//! Human output by default; `--json` prints stable camelCase JSON on stdout.
//! Errors go to stderr with a non-zero exit status.

mod accounts;
// Identity graph: `hilo customers …` and `hilo export`.
mod customers;
mod sla;
mod sync;
mod telephony;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use hilo_core::demo::DemoOptions;
use hilo_core::{AppCore, CoreError, KeyringSecretStore, resolve_workspace_dir};
use hilo_model::time::{now_millis, to_rfc3339};
use hilo_model::{Channel, ConversationStatus, InboxQuery, TimelineEntry};
use serde::Serialize;

#[derive(Parser)]
#[command(name = "hilo", version, about = "Hilo: the agent's desk, from the command line")]
struct Cli {
    /// Workspace directory (default: $HILO_WORKSPACE, else the platform data directory).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty workspace with the deterministic demo data set.
    Demo {
        #[arg(long, default_value_t = 200)]
        customers: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long)]
        json: bool,
        /// Place the clocks relative to this instant (ms since the epoch) instead of now (tests).
        #[arg(long, hide = true)]
        now: Option<i64>,
    },
    /// List conversations, newest activity first.
    Conversations {
        #[arg(long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        #[arg(long, value_enum)]
        channel: Option<ChannelArg>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over every cached message (accent- and case-insensitive).
    Search {
        query: String,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// A customer's timeline across every channel and call, newest first.
    Timeline {
        /// Email, phone number (any common format) or customer id.
        #[arg(long, value_name = "IDENT")]
        customer: String,
        /// At most N items (default: the whole timeline).
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Workspace summary: where it is and what the cache holds.
    Info {
        #[arg(long)]
        json: bool,
    },
    /// SLA clocks of live conversations and callbacks; `watch` runs the scheduler headless.
    Sla(sla::SlaArgs),
    /// First response and resolution times and SLA compliance over a period.
    Report(sla::ReportArgs),
    /// Mirror helpdesk accounts (and send the outbox): once, or until interrupted.
    Sync(sync::SyncArgs),
    /// Reply to a conversation (or add an internal note with --note) through the outbox.
    Reply(sync::ReplyArgs),
    /// Replies, notes and changes waiting to go out; retry, edit or discard them.
    Outbox(sync::OutboxArgs),
    /// Accounts Hilo talks to (phone systems, helpdesks): add, list, remove.
    Accounts(accounts::AccountsArgs),
    /// Follow the phone systems headless: calls and screen-pops as JSON lines.
    Telephony(telephony::TelephonyArgs),
    /// Stored calls, newest first (or, with --callbacks, customers to call back).
    Calls(telephony::CallsArgs),
    /// Click-to-call: ring your phone, then dial NUMBER.
    Call(telephony::CallArgs),
    /// Customers across every channel: list, show, merge, unmerge, suggestions.
    Customers(customers::CustomersArgs),
    /// A customer's complete timeline as JSON or CSV (offline review, data-subject requests).
    Export(customers::ExportArgs),
    /// The local cache file itself.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
}

#[derive(Subcommand)]
enum CacheAction {
    /// Move an unreadable cache aside (renamed, never deleted) and start a fresh one.
    Reset {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusArg {
    Open,
    Pending,
    Snoozed,
    Resolved,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChannelArg {
    Email,
    Chat,
    Whatsapp,
    Facebook,
    Instagram,
    X,
    Sms,
    Telegram,
    Line,
    Api,
}

impl StatusArg {
    fn to_status(self) -> Option<ConversationStatus> {
        match self {
            StatusArg::Open => Some(ConversationStatus::Open),
            StatusArg::Pending => Some(ConversationStatus::Pending),
            StatusArg::Snoozed => Some(ConversationStatus::Snoozed),
            StatusArg::Resolved => Some(ConversationStatus::Resolved),
            StatusArg::All => None,
        }
    }
}

impl ChannelArg {
    fn to_channel(self) -> Channel {
        match self {
            ChannelArg::Email => Channel::Email,
            ChannelArg::Chat => Channel::Chat,
            ChannelArg::Whatsapp => Channel::Whatsapp,
            ChannelArg::Facebook => Channel::Facebook,
            ChannelArg::Instagram => Channel::Instagram,
            ChannelArg::X => Channel::X,
            ChannelArg::Sms => Channel::Sms,
            ChannelArg::Telegram => Channel::Telegram,
            ChannelArg::Line => Channel::Line,
            ChannelArg::Api => Channel::Api,
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hilo: error: {e}");
            ExitCode::from(match e.code() {
                hilo_model::ErrorCode::NotFound => 3,
                hilo_model::ErrorCode::InvalidInput => 2,
                _ => 1,
            })
        }
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CoreError> {
    let s = serde_json::to_string_pretty(value).map_err(|e| CoreError::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

async fn open(dir: &std::path::Path) -> Result<AppCore, CoreError> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || AppCore::open(&dir, &KeyringSecretStore::default()))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
}

async fn run(cli: Cli) -> Result<(), CoreError> {
    let dir = resolve_workspace_dir(cli.workspace.as_deref())?;
    if let Command::Cache { action: CacheAction::Reset { json } } = cli.command {
        // Works without the key: that is exactly when it is needed.
        let reset = hilo_core::reset_cache(&dir)?;
        if json {
            return print_json(&reset);
        }
        if reset.moved_to.is_empty() {
            println!("No cache file in {}; the next start creates a fresh one.", dir.display());
        } else {
            println!("Moved aside (nothing deleted):");
            for p in &reset.moved_to {
                println!("  {p}");
            }
            println!("The next start creates a fresh cache.");
        }
        return Ok(());
    }
    let core = open(&dir).await?;
    match cli.command {
        Command::Demo { customers, seed, json, now } => {
            let now = now.unwrap_or_else(now_millis);
            let summary = core.load_demo(DemoOptions { customers, seed, now }).await?;
            if json {
                print_json(&summary)?;
            } else {
                println!(
                    "Demo workspace ready in {}: {} customers, {} conversations, {} messages, {} calls.",
                    dir.display(),
                    summary.customers,
                    summary.conversations,
                    summary.messages,
                    summary.calls
                );
            }
        }
        Command::Conversations { status, channel, limit, json } => {
            let mut items = Vec::new();
            let mut cursor = None;
            loop {
                let page = core
                    .inbox(InboxQuery {
                        status: status.to_status(),
                        channel: channel.map(ChannelArg::to_channel),
                        account_id: None,
                        cursor: cursor.take(),
                        limit: Some(limit.unwrap_or(500)),
                    })
                    .await?;
                items.extend(page.items);
                match page.next_cursor {
                    Some(c) if limit.is_none() => cursor = Some(c),
                    _ => break,
                }
            }
            if json {
                print_json(&items)?;
            } else {
                for c in &items {
                    println!(
                        "{:>6}  {:<9} {:<8} {:<6} {:<24} {}  {}",
                        c.id,
                        c.channel,
                        c.status,
                        c.priority,
                        truncate(&c.customer_name, 24),
                        to_rfc3339(c.last_activity_at),
                        truncate(c.last_message.as_deref().unwrap_or(""), 60)
                    );
                }
                eprintln!("{} conversations", items.len());
            }
        }
        Command::Search { query, limit, json } => {
            let hits = core.search(query, limit).await?;
            if json {
                print_json(&hits)?;
            } else {
                for h in &hits {
                    println!(
                        "{:>6}  {:<9} {:<24} {}  {}",
                        h.conversation_id,
                        h.channel,
                        truncate(&h.customer_name, 24),
                        to_rfc3339(h.at),
                        h.snippet_text()
                    );
                }
                eprintln!("{} matches", hits.len());
            }
        }
        Command::Timeline { customer, limit, json } => {
            let id = core.resolve_customer(&customer).await?;
            let page = match limit {
                Some(n) => core.timeline(id, None, Some(n)).await?,
                None => core.full_timeline(id).await?,
            };
            if json {
                print_json(&page)?;
            } else {
                let c = &page.customer;
                println!("{} (#{})", c.name, c.id);
                for i in &c.identities {
                    println!("  {:<15} {}", i.kind.as_str(), i.display);
                }
                for item in &page.items {
                    println!("{}", describe(item));
                }
            }
        }
        Command::Info { json } => {
            let info = core.info().await?;
            if json {
                print_json(&info)?;
            } else {
                println!(
                    "{}: {} customers, {} conversations, {} messages, {} calls",
                    info.path, info.customers, info.conversations, info.messages, info.calls
                );
            }
        }
        Command::Sla(args) => sla::run(&core, args).await?,
        Command::Report(args) => sla::report(&core, args).await?,
        Command::Sync(args) => sync::run_sync(&core, args).await?,
        Command::Reply(args) => sync::reply(&core, args).await?,
        Command::Outbox(args) => sync::outbox(&core, args).await?,
        Command::Accounts(args) => accounts::run(&core, args).await?,
        Command::Telephony(args) => telephony::run(&core, args).await?,
        Command::Calls(args) => telephony::calls(&core, args).await?,
        Command::Call(args) => telephony::call(&core, args).await?,
        Command::Customers(args) => customers::run(&core, args).await?,
        Command::Export(args) => customers::export(&core, args).await?,
        Command::Cache { .. } => {}
    }
    Ok(())
}

fn describe(item: &TimelineEntry) -> String {
    match item {
        TimelineEntry::Message(m) => format!(
            "{}  {:<9} {:<8} {:<8} {}: {}",
            to_rfc3339(m.at),
            m.channel,
            m.kind,
            m.direction,
            m.author.as_deref().unwrap_or("-"),
            truncate(&m.text, 100)
        ),
        TimelineEntry::Call(c) => format!(
            "{}  {:<9} {:<8} {:<8} {} → {} ({}s talk, agent {}, cause {})",
            to_rfc3339(c.at),
            "voice",
            c.outcome,
            c.direction,
            c.from.as_deref().unwrap_or("?"),
            c.to.as_deref().unwrap_or("?"),
            c.talk_secs.unwrap_or(0),
            c.agent.as_deref().unwrap_or("-"),
            c.hangup_cause.as_deref().unwrap_or("-")
        ),
        TimelineEntry::Event(e) => format!(
            "{}  {:<9} {:<8} {} {} → {}",
            to_rfc3339(e.at),
            e.channel.map(|c| c.as_str()).unwrap_or("-"),
            "event",
            e.kind,
            e.from.as_deref().unwrap_or(""),
            e.to.as_deref().unwrap_or("")
        ),
    }
}

fn truncate(s: &str, n: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        let mut t: String = one_line.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
