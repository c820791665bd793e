//! Telephony end to end inside the core: simulated PBXs (AMI, ESL) and a CTI poster
//! speaking the real wire formats, the runner following them, calls landing in a real
//! encrypted store with the demo data, screen-pops handed to a recording notifier.

mod ami;
mod cti;
mod desk;
mod drops;
mod esl;

use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::telephony::Backoff;
use hilo_core::demo::DemoOptions;
use hilo_core::telephony::{
    AmiAccount, CallView, CtiAccount, EslAccount, Language, TelephonyAccount, TelephonyEvent, TelephonyHandle,
    TelephonyOptions, add_telephony_account, list_calls, spawn_telephony,
};
use hilo_core::{AppCore, MemorySecretStore, RecordingNotifier};
use hilo_model::CallOutcome;
use tokio::sync::mpsc::UnboundedReceiver;

/// Claudio Pérez's phone as the demo stores it, and as a Spanish trunk sends it.
pub const CLAUDIO_E164: &str = "+34600123456";
pub const CLAUDIO_NATIONAL: &str = "600123456";
/// Nobody in the demo has this number.
pub const STRANGER: &str = "+34911222333";

pub struct Desk {
    _dir: tempfile::TempDir,
    pub core: AppCore,
    pub secrets: Arc<MemorySecretStore>,
    pub notifier: Arc<RecordingNotifier>,
    pub claudio: i64,
}

/// A workspace with the demo data (region ES, Claudio with one open conversation).
pub async fn desk() -> Desk {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(MemorySecretStore::default());
    let path = dir.path().to_owned();
    let keys = secrets.clone();
    let core = tokio::task::spawn_blocking(move || AppCore::open(&path, &*keys))
        .await
        .expect("join")
        .expect("open the workspace");
    let summary = core
        .load_demo(DemoOptions { customers: 20, seed: 7, now: hilo_model::time::now_millis() })
        .await
        .expect("demo data");
    Desk {
        _dir: dir,
        core,
        secrets,
        notifier: Arc::new(RecordingNotifier::default()),
        claudio: summary.claudio_customer_id,
    }
}

impl Desk {
    pub async fn add(&self, name: &str, account: TelephonyAccount, secret: &str) {
        add_telephony_account(&self.core, self.secrets.clone(), name, account, secret.to_owned())
            .await
            .expect("add the account");
    }

    pub async fn start(&self) -> (TelephonyHandle, UnboundedReceiver<TelephonyEvent>) {
        let options = TelephonyOptions {
            backoff: Backoff::new(Duration::from_millis(5), Duration::from_millis(50)),
            language: Some(Language::Es),
        };
        let mut handle = spawn_telephony(&self.core, self.secrets.clone(), self.notifier.clone(), options)
            .await
            .expect("start telephony");
        let events = handle.take_events().expect("the event stream");
        (handle, events)
    }

    pub async fn calls(&self) -> Vec<CallView> {
        self.core.store().read_async(|c| list_calls(c, None)).await.expect("list calls")
    }

    /// The demo's calls are on the demo PBX; these are the ones telephony stored.
    pub async fn call(&self, call_ref: &str) -> Option<CallView> {
        self.calls().await.into_iter().find(|c| c.call_ref == call_ref)
    }
}

pub fn ami_account(port: u16) -> TelephonyAccount {
    TelephonyAccount::Ami(AmiAccount {
        host: "127.0.0.1".into(),
        port,
        username: "hilo".into(),
        endpoint: "PJSIP/1986".into(),
        context: "from-internal".into(),
        event_mask: "call".into(),
        // Short, so Pings and their responses interleave with the call events.
        keepalive_secs: 1,
        originate_timeout_secs: 30,
        dial_prefix: None,
    })
}

pub fn esl_account(port: u16) -> TelephonyAccount {
    TelephonyAccount::Esl(EslAccount {
        host: "127.0.0.1".into(),
        port,
        endpoint: "user/1000".into(),
        dialplan: "XML default".into(),
        keepalive_secs: 1,
        originate_timeout_secs: 30,
        dial_prefix: None,
    })
}

pub fn cti_account(port: u16, blocked: &[&str]) -> TelephonyAccount {
    TelephonyAccount::CtiWebhook(CtiAccount {
        listen: format!("127.0.0.1:{port}"),
        extension: "1986".into(),
        blocked_numbers: blocked.iter().map(|s| (*s).to_owned()).collect(),
    })
}

/// Waits for the first event matching `pick`, skipping others.
pub async fn next_matching<T>(
    events: &mut UnboundedReceiver<TelephonyEvent>,
    what: &str,
    mut pick: impl FnMut(&TelephonyEvent) -> Option<T>,
) -> T {
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if let Some(t) = pick(&ev) {
                return Some(t);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(t)) => t,
        Ok(None) => panic!("the event stream ended before {what}"),
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// Waits until the call is stored with an end.
pub async fn ended(events: &mut UnboundedReceiver<TelephonyEvent>, call_ref: &str) -> CallView {
    next_matching(events, &format!("call {call_ref} to end"), |e| match e {
        TelephonyEvent::Call(c) if c.call_ref == call_ref && c.ended_at.is_some() => Some(c.clone()),
        _ => None,
    })
    .await
}

pub async fn link_up(events: &mut UnboundedReceiver<TelephonyEvent>) {
    next_matching(events, "the link to come up", |e| match e {
        TelephonyEvent::Link { state: hilo_connectors::telephony::LinkState::Up, .. } => Some(()),
        _ => None,
    })
    .await
}

/// Why a stored call is in a state no call can be in.
pub fn impossibility(c: &CallView) -> Option<String> {
    let answered_ok = c.answered_at.is_none_or(|a| a >= c.started_at);
    let ended_ok = c.ended_at.is_none_or(|e| e >= c.started_at && c.answered_at.is_none_or(|a| e >= a));
    let outcome_ok = (c.outcome == CallOutcome::Answered) == c.answered_at.is_some();
    let open_ok = c.ended_at.is_some() || matches!(c.outcome, CallOutcome::Ringing | CallOutcome::Answered);
    (!(answered_ok && ended_ok && outcome_ok && open_ok)).then(|| format!("{c:?}"))
}
