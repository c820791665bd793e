//! Screen-pop: who is calling, in the agent's language, before they pick up. Built
//! from the caller's E.164 number, the customer it belongs to and their open
//! conversations; handed to the desktop notifier and emitted to the UI.

use hilo_model::time::Millis;
use phonenumber::Mode;
use rusqlite::Connection;
use serde::Serialize;

use super::calls;
use super::tracker::CallRecord;
use crate::notify::{DesktopNotification, Urgency};

/// Setting key for the language of notifications (`es` or `en`), shared with the UI.
pub const LANGUAGE_SETTING: &str = "ui.language";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Es,
    En,
}

impl Language {
    pub fn parse(code: &str) -> Option<Language> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("es") {
            Some(Language::Es)
        } else if code.starts_with("en") {
            Some(Language::En)
        } else {
            None
        }
    }

    /// From the POSIX locale (`es_ES.UTF-8` → es); English otherwise.
    pub fn from_env() -> Language {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Language::parse(&v))
            .unwrap_or(Language::En)
    }
}

/// What the UI gets with `call://ringing`: enough to show who it is and to open their
/// timeline, or to offer creating the customer when the number is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenPop {
    pub account: String,
    pub account_id: i64,
    pub call_ref: String,
    /// E.164 when it parses, else as sent; `None` for a withheld number.
    pub number: Option<String>,
    /// `+34 600 12 34 56`, or the localized "hidden number".
    pub number_display: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// Conversations of the customer that are not resolved.
    pub open_conversations: i64,
    /// The caller is unknown and has a usable number: offer to create the customer.
    pub offer_create_customer: bool,
    pub language: Language,
    pub title: String,
    pub body: String,
    /// `title · body`, the whole line.
    pub text: String,
    /// What clicking opens: `customer:42`, or `new-customer:+34600123456`.
    pub target: Option<String>,
    pub ringing_since: Millis,
    /// Whether the desktop notification was shown; the reason when it was not.
    pub notified: bool,
    pub notification_error: Option<String>,
}

impl ScreenPop {
    /// Looks the caller up and writes the localized text. One indexed lookup by
    /// identity and one count; this runs between "ringing" and the notification.
    pub fn build(
        conn: &Connection,
        account: (&str, i64),
        call: &CallRecord,
        language: Language,
    ) -> hilo_store::Result<ScreenPop> {
        let number = call.customer_number().map(str::to_owned);
        let customer = match calls::customer_by_number(conn, number.as_deref())? {
            Some(id) => calls::customer_for_pop(conn, id)?.map(|(name, open)| (id, name, open)),
            None => None,
        };
        let number_display = match number.as_deref() {
            Some(n) => display_number(n),
            None => match language {
                Language::Es => "número oculto".to_owned(),
                Language::En => "hidden number".to_owned(),
            },
        };
        let title = match language {
            Language::Es => "Llamada entrante",
            Language::En => "Incoming call",
        }
        .to_owned();
        let (body, target, offer) = match &customer {
            Some((id, name, open)) => {
                (format!("{name} · {}", open_text(*open, language)), Some(format!("customer:{id}")), false)
            }
            None => {
                let unknown = match language {
                    Language::Es => "cliente desconocido",
                    Language::En => "unknown customer",
                };
                let usable = number.as_deref().filter(|n| n.starts_with('+'));
                (format!("{number_display} · {unknown}"), usable.map(|n| format!("new-customer:{n}")), usable.is_some())
            }
        };
        Ok(ScreenPop {
            account: account.0.to_owned(),
            account_id: account.1,
            call_ref: call.call_ref.clone(),
            number,
            number_display,
            customer_id: customer.as_ref().map(|c| c.0),
            customer_name: customer.as_ref().map(|c| c.1.clone()),
            open_conversations: customer.as_ref().map_or(0, |c| c.2),
            offer_create_customer: offer,
            language,
            text: format!("{title} · {body}"),
            title,
            body,
            target,
            ringing_since: call.started_at,
            notified: false,
            notification_error: None,
        })
    }

    pub fn notification(&self) -> DesktopNotification {
        DesktopNotification {
            title: self.title.clone(),
            body: self.body.clone(),
            urgency: Urgency::Critical,
            target: self.target.clone(),
        }
    }
}

fn open_text(open: i64, language: Language) -> String {
    match (language, open) {
        (Language::Es, 0) => "sin conversaciones abiertas".to_owned(),
        (Language::Es, 1) => "1 conversación abierta".to_owned(),
        (Language::Es, n) => format!("{n} conversaciones abiertas"),
        (Language::En, 0) => "no open conversations".to_owned(),
        (Language::En, 1) => "1 open conversation".to_owned(),
        (Language::En, n) => format!("{n} open conversations"),
    }
}

/// `+34600123456` → `+34 600 12 34 56`; anything else as it is.
pub fn display_number(number: &str) -> String {
    match phonenumber::parse(None, number) {
        Ok(n) if number.starts_with('+') => n.format().mode(Mode::International).to_string(),
        _ => number.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally_in_both_languages() {
        assert_eq!(open_text(1, Language::Es), "1 conversación abierta");
        assert_eq!(open_text(3, Language::Es), "3 conversaciones abiertas");
        assert_eq!(open_text(1, Language::En), "1 open conversation");
        assert_eq!(open_text(0, Language::En), "no open conversations");
        assert_eq!(display_number("+34600123456"), "+34 600 12 34 56");
        assert_eq!(display_number("21"), "21");
        assert_eq!(Language::parse("es_ES.UTF-8"), Some(Language::Es));
        assert_eq!(Language::parse("C.UTF-8"), None);
    }
}
