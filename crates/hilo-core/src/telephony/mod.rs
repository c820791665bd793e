//! Telephony in the core: the `CallTracker` that folds connector events into calls,
//! the recorder that stores them and raises screen-pops, the runner that keeps the
//! connectors going, click-to-call, and the telephony accounts.
//!
//! Flow: connector (hilo-connectors) → `SourceEvent` → runner's recorder thread →
//! `CallTracker` → `calls` (SQLite) + `ScreenPop` (notifier) → `TelephonyEvent`s for the
//! UI and `hilo telephony listen`.

pub mod accounts;
pub mod calls;
pub mod desk;
pub mod recorder;
pub mod runner;
pub mod screen_pop;
pub mod tracker;

pub use accounts::{
    AccountInfo, AmiAccount, CtiAccount, EslAccount, RemovedAccount, TelephonyAccount, add_telephony_account,
    list_accounts, remove_account,
};
pub use calls::{CallView, CallbackItem, callback_items, create_customer_for_number, list_calls};
pub use recorder::{CallRecorder, TelephonyEvent};
pub use runner::{PlacedCall, TelephonyHandle, TelephonyOptions, place_call, spawn_telephony, telephony_error};
pub use screen_pop::{Language, ScreenPop, ScreenPopConversation, build_screen_pop, screen_pop_notification};
pub use tracker::{AgentEndpoint, CallRecord, CallTracker, LINK_LOST, TrackerUpdate};
