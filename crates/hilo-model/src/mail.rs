//! Mail data that crosses IPC and the CLI's JSON: attachment metadata shown on a
//! message in the timeline (the content stays on the mail server).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MessageAttachment {
    /// As the sender named it: untrusted, display only (never used as a path).
    pub filename: Option<String>,
    /// `type/subtype`, lowercase.
    pub content_type: String,
    /// Bytes, decoded.
    #[ts(type = "number")]
    pub size: i64,
    /// Shown inside the body by the sender's client (a logo, a pasted picture).
    pub inline: bool,
}
