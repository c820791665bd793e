//! The words of SLA notifications, in Spanish and English: who (the customer), where
//! (the channel), which clock and how long is left or overdue.
//!
//! Rounding favours the agent's reading: time left rounds up (59 s left is "1 min"),
//! time overdue rounds down (a breach 59 s ago is not yet "1 min" ago).

use hilo_model::Channel;
use hilo_model::sla::{SlaAlertLevel, SlaMetric};

use crate::language::Language;

/// Individual notifications at most; more alerts in one pass become one summary.
pub const SUMMARY_AFTER: usize = 3;

/// Names of customers a summary lists before "and N more".
const SUMMARY_NAMES: usize = 3;

pub fn channel_name(channel: Channel, lang: Language) -> &'static str {
    match (channel, lang) {
        (Channel::Email, Language::Es) => "Correo",
        (Channel::Email, Language::En) => "Email",
        (Channel::Chat, Language::Es) => "Chat web",
        (Channel::Chat, Language::En) => "Web chat",
        (Channel::Whatsapp, _) => "WhatsApp",
        (Channel::Facebook, _) => "Facebook",
        (Channel::Instagram, _) => "Instagram",
        (Channel::X, _) => "X",
        (Channel::Sms, _) => "SMS",
        (Channel::Telegram, _) => "Telegram",
        (Channel::Line, _) => "LINE",
        (Channel::Api, _) => "API",
        (Channel::Voice, Language::Es) => "Teléfono",
        (Channel::Voice, Language::En) => "Phone",
    }
}

pub fn metric_name(metric: SlaMetric, lang: Language) -> &'static str {
    match (metric, lang) {
        (SlaMetric::FirstResponse, Language::Es) => "primera respuesta",
        (SlaMetric::FirstResponse, Language::En) => "first response",
        (SlaMetric::NextResponse, Language::Es) => "siguiente respuesta",
        (SlaMetric::NextResponse, Language::En) => "next response",
        (SlaMetric::Resolution, Language::Es) => "resolución",
        (SlaMetric::Resolution, Language::En) => "resolution",
        (SlaMetric::Callback, Language::Es) => "devolución de llamada",
        (SlaMetric::Callback, Language::En) => "callback",
    }
}

/// What one alert says.
#[derive(Debug, Clone, Copy)]
pub struct AlertWords<'a> {
    pub customer: &'a str,
    pub channel: Channel,
    pub metric: SlaMetric,
    pub level: SlaAlertLevel,
    /// Business time left on the clock (at risk).
    pub remaining_ms: i64,
    /// Time since the breach (breached).
    pub overdue_ms: i64,
}

/// Title and body of one alert's notification.
pub fn alert_text(words: &AlertWords<'_>, lang: Language) -> (String, String) {
    let channel = channel_name(words.channel, lang);
    let metric = metric_name(words.metric, lang);
    match (words.level, lang) {
        (SlaAlertLevel::AtRisk, Language::Es) => (
            format!("SLA en riesgo · {}", words.customer),
            format!("{channel} · {metric} en {}", span(words.remaining_ms, Rounding::Up)),
        ),
        (SlaAlertLevel::AtRisk, Language::En) => (
            format!("SLA at risk · {}", words.customer),
            format!("{channel} · {metric} due in {}", span(words.remaining_ms, Rounding::Up)),
        ),
        (SlaAlertLevel::Breached, Language::Es) => (
            format!("SLA incumplido · {}", words.customer),
            if words.overdue_ms < 60_000 {
                format!("{channel} · {metric} vencida")
            } else {
                format!("{channel} · {metric} vencida hace {}", span(words.overdue_ms, Rounding::Down))
            },
        ),
        (SlaAlertLevel::Breached, Language::En) => (
            format!("SLA breached · {}", words.customer),
            if words.overdue_ms < 60_000 {
                format!("{channel} · {metric} overdue")
            } else {
                format!("{channel} · {metric} overdue by {}", span(words.overdue_ms, Rounding::Down))
            },
        ),
    }
}

/// Title and body of the one notification that stands for many alerts. `breached` and
/// `at_risk` are customer names, one per conversation or callback item, most urgent
/// first; the body names the first few breaches (or at-risk ones when nothing breached).
pub fn summary_text(breached: &[&str], at_risk: &[&str], lang: Language) -> (String, String) {
    let (b, r) = (breached.len(), at_risk.len());
    let title = match (b, lang) {
        (0, Language::Es) if r == 1 => "1 conversación en riesgo de incumplir el SLA".to_owned(),
        (0, Language::Es) => format!("{r} conversaciones en riesgo de incumplir el SLA"),
        (0, Language::En) if r == 1 => "1 conversation at risk of breaching its SLA".to_owned(),
        (0, Language::En) => format!("{r} conversations at risk of breaching their SLA"),
        (1, Language::Es) => "1 conversación ha incumplido el SLA".to_owned(),
        (b, Language::Es) => format!("{b} conversaciones han incumplido el SLA"),
        (1, Language::En) => "1 conversation breached its SLA".to_owned(),
        (b, Language::En) => format!("{b} conversations breached their SLA"),
    };
    let listed = if b > 0 { breached } else { at_risk };
    let names: Vec<&str> = listed.iter().copied().take(SUMMARY_NAMES).collect();
    let more = listed.len().saturating_sub(names.len());
    let mut body = names.join(", ");
    if more > 0 {
        body.push_str(&match lang {
            Language::Es => format!(" y {more} más"),
            Language::En => format!(" and {more} more"),
        });
    }
    if b > 0 && r > 0 {
        body.push_str(&match lang {
            Language::Es => format!(" · {r} más en riesgo"),
            Language::En => format!(" · {r} more at risk"),
        });
    }
    (title, body)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rounding {
    Up,
    Down,
}

/// "45 s", "3 min", "2 h 5 min", "1 d 4 h" (the same abbreviations read in both languages).
fn span(ms: i64, rounding: Rounding) -> String {
    let ms = ms.max(0);
    let secs = match rounding {
        Rounding::Up => ms.saturating_add(999) / 1000,
        Rounding::Down => ms / 1000,
    };
    if secs < 60 {
        return format!("{secs} s");
    }
    let minutes = match rounding {
        Rounding::Up => secs.saturating_add(59) / 60,
        Rounding::Down => secs / 60,
    };
    match (minutes / (24 * 60), minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(level: SlaAlertLevel, remaining_ms: i64, overdue_ms: i64) -> AlertWords<'static> {
        AlertWords {
            customer: "Claudio Pérez",
            channel: Channel::Facebook,
            metric: SlaMetric::FirstResponse,
            level,
            remaining_ms,
            overdue_ms,
        }
    }

    #[test]
    fn claudio_reads_the_story_in_both_languages() {
        let cases = [
            (
                words(SlaAlertLevel::AtRisk, 60_000, 0),
                Language::Es,
                "SLA en riesgo · Claudio Pérez",
                "Facebook · primera respuesta en 1 min",
            ),
            (
                words(SlaAlertLevel::Breached, -120_000, 120_000),
                Language::Es,
                "SLA incumplido · Claudio Pérez",
                "Facebook · primera respuesta vencida hace 2 min",
            ),
            (
                words(SlaAlertLevel::Breached, 0, 0),
                Language::Es,
                "SLA incumplido · Claudio Pérez",
                "Facebook · primera respuesta vencida",
            ),
            (
                words(SlaAlertLevel::AtRisk, 60_000, 0),
                Language::En,
                "SLA at risk · Claudio Pérez",
                "Facebook · first response due in 1 min",
            ),
            (
                words(SlaAlertLevel::Breached, 0, 3_720_000),
                Language::En,
                "SLA breached · Claudio Pérez",
                "Facebook · first response overdue by 1 h 2 min",
            ),
        ];
        for (w, lang, title, body) in cases {
            assert_eq!(alert_text(&w, lang), (title.to_owned(), body.to_owned()), "{lang:?} {:?}", w.level);
        }
    }

    #[test]
    fn spans_round_toward_the_agent() {
        let cases = [
            (59_001, Rounding::Up, "1 min"),
            (59_001, Rounding::Down, "59 s"),
            (90_000, Rounding::Down, "1 min"),
            (90_000, Rounding::Up, "2 min"),
            (7_200_000, Rounding::Down, "2 h"),
            (90_000_000, Rounding::Down, "1 d 1 h"),
            (-5, Rounding::Up, "0 s"),
        ];
        for (ms, rounding, expected) in cases {
            assert_eq!(span(ms, rounding), expected, "{ms} ms rounded {rounding:?}");
        }
    }

    #[test]
    fn summaries_count_and_name_the_first_few() {
        let (title, body) =
            summary_text(&["Claudio Pérez", "Lucía Gómez", "Sam Reed", "Ana Ruiz", "Eva Sanz"], &[], Language::Es);
        assert_eq!(title, "5 conversaciones han incumplido el SLA", "the spec's Spanish title");
        assert_eq!(body, "Claudio Pérez, Lucía Gómez, Sam Reed y 2 más", "three names then a count");
        let (title, body) = summary_text(&["A", "B"], &["C", "D"], Language::En);
        assert_eq!(title, "2 conversations breached their SLA", "breaches lead the title");
        assert_eq!(body, "A, B · 2 more at risk", "breaches are named, the at-risk ones counted");
        let (title, _) = summary_text(&[], &["A", "B", "C", "D"], Language::En);
        assert_eq!(title, "4 conversations at risk of breaching their SLA", "only at risk");
    }
}
