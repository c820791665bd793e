//! Accounts as Settings shows and edits them: one tagged variant per kind (Chatwoot,
//! shared mailbox, Asterisk AMI, FreeSWITCH ESL, CTI webhook), and the sync state each
//! helpdesk account reports (`sync://state`). A secret never travels to the UI: the view
//! only says whether the keychain holds one, and a save with no secret keeps it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A Chatwoot account: server URL and the account number in its URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ChatwootAccountSettings {
    #[serde(alias = "baseUrl")]
    pub url: String,
    #[ts(type = "number")]
    pub account_id: u64,
}

/// How a mailbox account reaches its servers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum MailSecurityMode {
    #[default]
    Tls,
    Starttls,
    None,
}

/// A shared support mailbox: IMAP to read, SMTP to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct EmailAccountSettings {
    /// `host:port`
    pub imap: String,
    /// `host:port`
    pub smtp: String,
    pub user: String,
    pub security: MailSecurityMode,
    pub mailbox: String,
    /// The From address of replies (default: the user name when it is an address).
    pub address: Option<String>,
}

impl Default for EmailAccountSettings {
    fn default() -> Self {
        EmailAccountSettings {
            imap: String::new(),
            smtp: String::new(),
            user: String::new(),
            security: MailSecurityMode::Tls,
            mailbox: "INBOX".into(),
            address: None,
        }
    }
}

/// Asterisk Manager Interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct AmiAccountSettings {
    pub host: String,
    pub port: u16,
    pub username: String,
    /// The agent's phone, e.g. `PJSIP/1986`.
    pub endpoint: String,
    pub context: String,
    pub dial_prefix: Option<String>,
}

impl Default for AmiAccountSettings {
    fn default() -> Self {
        AmiAccountSettings {
            host: String::new(),
            port: 5038,
            username: String::new(),
            endpoint: String::new(),
            context: "from-internal".into(),
            dial_prefix: None,
        }
    }
}

/// FreeSWITCH event socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct EslAccountSettings {
    pub host: String,
    pub port: u16,
    /// The agent's phone as a dial string, e.g. `user/1000`.
    pub endpoint: String,
    pub dialplan: String,
    pub dial_prefix: Option<String>,
}

impl Default for EslAccountSettings {
    fn default() -> Self {
        EslAccountSettings {
            host: String::new(),
            port: 8021,
            endpoint: String::new(),
            dialplan: "XML default".into(),
            dial_prefix: None,
        }
    }
}

/// A Zammad-compatible CTI webhook listener on this machine (loopback only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct CtiAccountSettings {
    /// `127.0.0.1:PORT`
    pub listen: String,
    pub extension: String,
    pub blocked_numbers: Vec<String>,
}

/// The non-secret settings of an account, tagged by `kind` (the `AccountKind` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AccountSettings {
    Chatwoot(ChatwootAccountSettings),
    Email(EmailAccountSettings),
    Ami(AmiAccountSettings),
    Esl(EslAccountSettings),
    CtiWebhook(CtiAccountSettings),
}

impl AccountSettings {
    pub fn kind(&self) -> crate::AccountKind {
        match self {
            AccountSettings::Chatwoot(_) => crate::AccountKind::Chatwoot,
            AccountSettings::Email(_) => crate::AccountKind::Email,
            AccountSettings::Ami(_) => crate::AccountKind::Ami,
            AccountSettings::Esl(_) => crate::AccountKind::Esl,
            AccountSettings::CtiWebhook(_) => crate::AccountKind::CtiWebhook,
        }
    }
}

/// Where an account's sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AccountSyncState {
    Idle,
    Syncing,
    /// The server cannot be reached; replies wait in the outbox.
    Offline,
    /// Something needs attention; see `message`.
    Error,
}

/// The `sync://state` event and the indicator's rows: one helpdesk account's sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncStateEvent {
    #[ts(type = "number")]
    pub account_id: i64,
    pub name: String,
    pub state: AccountSyncState,
    /// Why it is offline or failing (never contains a secret).
    pub message: Option<String>,
    /// When the last complete sync ended (ms since the epoch).
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
}

/// An account as Settings lists it: never its secret, only whether the keychain has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub settings: AccountSettings,
    pub has_secret: bool,
    /// Demo accounts are not reachable; they cannot be edited, only removed.
    pub demo: bool,
    /// Helpdesk and mailbox accounts: where their sync stands.
    pub sync: Option<SyncStateEvent>,
}

/// Adds (`id` null) or edits an account. `secret` null or empty keeps the stored one
/// (an edit); a new account needs one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountSave {
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub name: String,
    pub settings: AccountSettings,
    pub secret: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_tagged_by_kind_with_camel_case_fields() {
        let s = AccountSettings::CtiWebhook(CtiAccountSettings {
            listen: "127.0.0.1:8089".into(),
            extension: "1986".into(),
            blocked_numbers: vec![],
        });
        let json = serde_json::to_value(&s).expect("serializes");
        assert_eq!(json["kind"], "cti_webhook", "the tag is the account kind's stored name");
        assert_eq!(json["blockedNumbers"], serde_json::json!([]));
        let back: AccountSettings =
            serde_json::from_str(r#"{"kind":"chatwoot","url":"https://c.example","accountId":3}"#).expect("parses");
        assert_eq!(back.kind(), crate::AccountKind::Chatwoot);
    }

    #[test]
    fn stored_demo_shapes_read_with_defaults() {
        let c: ChatwootAccountSettings =
            serde_json::from_str(r#"{"baseUrl":"https://x.example","accountId":1,"demo":true}"#).expect("parses");
        assert_eq!(c.url, "https://x.example", "the demo's older key is read");
        let e: EmailAccountSettings = serde_json::from_str(r#"{"imap":"h:993"}"#).expect("parses");
        assert_eq!((e.mailbox.as_str(), e.security), ("INBOX", MailSecurityMode::Tls));
    }
}
