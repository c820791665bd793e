//! `hilo telephony listen`, `hilo calls` and `hilo call`: follow the phone system headless
//! (call events and screen-pops as JSON lines), list stored calls and callbacks, and
//! place a click-to-call.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use hilo_core::telephony::{
    CallView, TelephonyEvent, TelephonyOptions, callback_items, list_calls, place_call, spawn_telephony,
};
use hilo_core::{AppCore, CoreError, DesktopNotifier, KeyringSecretStore, SecretStore};
use hilo_model::time::to_rfc3339;

#[derive(Args)]
pub struct TelephonyArgs {
    #[command(subcommand)]
    action: TelephonyAction,
}

#[derive(Subcommand)]
enum TelephonyAction {
    /// Follow every telephony account: store calls, raise screen-pops, and print call
    /// events and screen-pops as JSON lines until interrupted (or for --duration).
    Listen {
        /// Stop after SECS seconds.
        #[arg(long, value_name = "SECS")]
        duration: Option<u64>,
    },
}

#[derive(Args)]
pub struct CallsArgs {
    /// Missed calls from known customers nobody has called back, one per customer.
    #[arg(long)]
    callbacks: bool,
    #[arg(long)]
    limit: Option<u32>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct CallArgs {
    /// The number to call, in any common format (national numbers use the workspace region).
    number: String,
    /// The telephony account to call through (default: the only one that can).
    #[arg(long, value_name = "NAME")]
    account: Option<String>,
    #[arg(long)]
    json: bool,
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::default())
}

fn print_line(event: &TelephonyEvent) -> Result<(), CoreError> {
    let line = serde_json::to_string(event).map_err(|e| CoreError::Internal(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) ends the listener like Ctrl-C would.
    writeln!(out, "{line}").and_then(|()| out.flush()).map_err(|e| CoreError::io("writing to stdout", e))
}

pub async fn run(core: &AppCore, args: TelephonyArgs) -> Result<(), CoreError> {
    let TelephonyAction::Listen { duration } = args.action;
    let notifier = Arc::new(DesktopNotifier::default());
    let mut handle = spawn_telephony(core, secrets(), notifier, TelephonyOptions::default()).await?;
    let Some(mut events) = handle.take_events() else {
        return Err(CoreError::Internal("the telephony event stream was already taken".into()));
    };
    if handle.account_names().is_empty() {
        while let Ok(ev) = events.try_recv() {
            if let TelephonyEvent::Error { account, message } = ev {
                eprintln!("hilo: {account}: {message}");
            }
        }
        return Err(CoreError::NotFound(
            "no telephony account to follow: add one with `hilo accounts add ami|esl|cti-webhook …`".into(),
        ));
    }
    eprintln!("hilo: following {}; Ctrl-C stops", handle.account_names().join(", "));
    let stop = async {
        match duration {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop);
    let mut warned_notifications = false;
    let mut result = Ok(());
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = tokio::signal::ctrl_c() => break,
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                warn_once(&ev, &mut warned_notifications);
                if let Err(e) = print_line(&ev) {
                    result = Err(e);
                    break;
                }
            }
        }
    }
    // Calls still open are closed as link-lost and stored before we exit.
    handle.shutdown().await;
    while let Some(ev) = events.recv().await {
        if result.is_ok() {
            result = print_line(&ev);
        }
    }
    result
}

fn warn_once(ev: &TelephonyEvent, warned: &mut bool) {
    match ev {
        TelephonyEvent::ScreenPop(pop) if !*warned => {
            if let Some(e) = &pop.notification_error {
                eprintln!("hilo: warning: {e} (screen-pops are still printed here)");
                *warned = true;
            }
        }
        TelephonyEvent::Error { account, message } => eprintln!("hilo: {account}: {message}"),
        TelephonyEvent::Link {
            account,
            state: hilo_connectors::telephony::LinkState::Down { reason, retry_in_ms },
        } => {
            eprintln!("hilo: {account}: {reason}; retrying in {:.1} s", *retry_in_ms as f64 / 1000.0);
        }
        _ => {}
    }
}

pub async fn calls(core: &AppCore, args: CallsArgs) -> Result<(), CoreError> {
    if args.callbacks {
        let items = core.store().read_async(callback_items).await?;
        if args.json {
            return crate::print_json(&items);
        }
        for i in &items {
            println!(
                "{}  {:<24} {:<16} {} missed ({}), call #{}",
                to_rfc3339(i.missed_at),
                i.customer_name,
                i.number.as_deref().unwrap_or("-"),
                i.missed_calls,
                i.outcome,
                i.call_id
            );
        }
        eprintln!("{} customers to call back", items.len());
        return Ok(());
    }
    let limit = args.limit;
    let calls: Vec<CallView> = core.store().read_async(move |c| list_calls(c, limit)).await?;
    if args.json {
        return crate::print_json(&calls);
    }
    for c in &calls {
        println!(
            "{:>6}  {}  {:<8} {:<8} {:>16} → {:<16} {:>5}s talk {:>5}s  agent {}  cause {}",
            c.id,
            to_rfc3339(c.started_at),
            c.direction,
            c.outcome,
            c.from.as_deref().unwrap_or("?"),
            c.to.as_deref().unwrap_or("?"),
            c.duration_secs.unwrap_or(0),
            c.talk_secs.unwrap_or(0),
            c.agent.as_deref().unwrap_or("-"),
            c.hangup_cause.as_deref().unwrap_or("-")
        );
    }
    eprintln!("{} calls", calls.len());
    Ok(())
}

pub async fn call(core: &AppCore, args: CallArgs) -> Result<(), CoreError> {
    let placed = place_call(core, secrets(), args.account.as_deref(), &args.number).await?;
    if args.json {
        crate::print_json(&placed)?;
    } else {
        let what = match placed.status.as_str() {
            "connected" => "your phone answered; the customer is being dialled",
            "busy" => "your phone is busy",
            "failed" => "your phone did not answer",
            _ => "the phone system accepted the call but reported no result",
        };
        println!("Calling {} through {}: {what} (call {}).", placed.dialed, placed.account, placed.call_ref);
    }
    match placed.status.as_str() {
        "connected" | "noResult" => Ok(()),
        status => Err(CoreError::io(
            "click-to-call",
            std::io::Error::other(format!(
                "the call was not connected ({status}{})",
                placed.cause.as_deref().map(|c| format!(", cause {c}")).unwrap_or_default()
            )),
        )),
    }
}
