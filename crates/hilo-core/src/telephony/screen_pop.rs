//! Screen-pop: who is calling, in the agent's language, before they pick up. Built
//! from the caller's E.164 number, the customer it belongs to and their open
//! conversations; handed to the desktop notifier and emitted to the UI.

pub use hilo_model::telephony::{Language, ScreenPop, ScreenPopConversation};
use phonenumber::Mode;
use rusqlite::Connection;

use super::calls;
use super::tracker::CallRecord;
use crate::notify::{DesktopNotification, Urgency};

/// Looks the caller up and writes the localized text. One indexed lookup by identity,
/// one count and one indexed lookup of their conversation; this runs between "ringing"
/// and the notification.
pub fn build_screen_pop(
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
    let latest_conversation = match &customer {
        Some((id, _, _)) => calls::conversation_for_pop(conn, *id)?,
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
        latest_conversation,
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

/// The desktop notification of a screen-pop.
pub fn screen_pop_notification(pop: &ScreenPop) -> DesktopNotification {
    DesktopNotification {
        title: pop.title.clone(),
        body: pop.body.clone(),
        urgency: Urgency::Critical,
        target: pop.target.clone(),
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
