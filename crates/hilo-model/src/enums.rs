//! Closed sets of domain values, stored in SQLite as their snake_case names.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($name::$variant),)+
                    other => Err(crate::error::UnknownValue {
                        kind: stringify!($name),
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Where a conversation happens. `Voice` is the phone system.
    Channel {
        Email => "email",
        Chat => "chat",
        Whatsapp => "whatsapp",
        Facebook => "facebook",
        Instagram => "instagram",
        X => "x",
        Sms => "sms",
        Telegram => "telegram",
        Line => "line",
        Api => "api",
        Voice => "voice",
    }
);

str_enum!(
    /// Helpdesk conversation status (Chatwoot's four; a mailbox maps onto them).
    ConversationStatus {
        Open => "open",
        Pending => "pending",
        Snoozed => "snoozed",
        Resolved => "resolved",
    }
);

str_enum!(
    Priority {
        None => "none",
        Low => "low",
        Medium => "medium",
        High => "high",
        Urgent => "urgent",
    }
);

str_enum!(
    /// Seen from the team: inbound is the customer speaking.
    Direction {
        Inbound => "inbound",
        Outbound => "outbound",
    }
);

str_enum!(
    /// A public message, an internal note, a chatbot turn or a system/activity line.
    MessageKind {
        Message => "message",
        Note => "note",
        Bot => "bot",
        System => "system",
    }
);

str_enum!(
    /// Delivery state of an outgoing message (incoming ones are always delivered).
    DeliveryState {
        Delivered => "delivered",
        Pending => "pending",
        Failed => "failed",
    }
);

str_enum!(
    /// How a call ended, as the agent cares about it.
    CallOutcome {
        Ringing => "ringing",
        Answered => "answered",
        Missed => "missed",
        Busy => "busy",
        Failed => "failed",
    }
);

str_enum!(
    /// Kinds of customer identity. Values are normalized per kind (see `identity`).
    IdentityKind {
        Email => "email",
        Phone => "phone",
        PhoneUnparsed => "phone_unparsed",
        Contact => "contact",
        Facebook => "facebook",
        Instagram => "instagram",
        X => "x",
        Telegram => "telegram",
    }
);

str_enum!(
    /// Things that happened to a conversation or customer besides messages and calls.
    EventKind {
        StatusChanged => "status_changed",
        Assigned => "assigned",
        PriorityChanged => "priority_changed",
        Handoff => "handoff",
        Merged => "merged",
        Unmerged => "unmerged",
        SlaAlert => "sla_alert",
    }
);

str_enum!(
    /// Who made a write, so sync can ignore its own echoes.
    Origin {
        Ui => "ui",
        Sync => "sync",
        Sla => "sla",
        Telephony => "telephony",
        Import => "import",
        Demo => "demo",
    }
);

str_enum!(
    AccountKind {
        Chatwoot => "chatwoot",
        Email => "email",
        Ami => "ami",
        Esl => "esl",
        CtiWebhook => "cti_webhook",
    }
);
