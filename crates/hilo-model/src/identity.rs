//! Identity normalization: the one place that decides when two spellings of an email
//! or a phone number are the same identity. Never panics on any input.

use phonenumber::{Mode, country};

use crate::enums::IdentityKind;

/// An identity as typed or received, before normalization.
#[derive(Debug, Clone, Copy)]
pub struct IdentityInput<'a> {
    pub kind: IdentityKind,
    pub raw: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedIdentity {
    /// May differ from the input kind: a phone that cannot be parsed is `PhoneUnparsed`.
    pub kind: IdentityKind,
    pub value: String,
    pub display: String,
}

/// Parses an ISO 3166 region code such as `ES` or `MX`.
pub fn parse_region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// Normalizes one identity. Emails are trimmed and case-folded; phones become E.164
/// using `default_region` for national numbers; anything unparseable is kept, marked.
pub fn normalize_identity(input: IdentityInput<'_>, default_region: country::Id) -> NormalizedIdentity {
    let display = input.raw.trim().to_owned();
    match input.kind {
        IdentityKind::Email => {
            NormalizedIdentity { kind: IdentityKind::Email, value: normalize_email(&display), display }
        }
        IdentityKind::Phone | IdentityKind::PhoneUnparsed => match normalize_phone(&display, default_region) {
            Some(e164) => NormalizedIdentity { kind: IdentityKind::Phone, value: e164, display },
            None => NormalizedIdentity {
                kind: IdentityKind::PhoneUnparsed,
                value: display.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase(),
                display,
            },
        },
        kind @ (IdentityKind::Facebook | IdentityKind::Instagram | IdentityKind::X | IdentityKind::Telegram) => {
            NormalizedIdentity { kind, value: normalize_handle(kind, &display), display }
        }
        IdentityKind::Contact => NormalizedIdentity { kind: IdentityKind::Contact, value: display.clone(), display },
    }
}

/// An email address as an identity: trimmed, case-folded, without a `mailto:` scheme or
/// the display name of a `Name <address>` header.
pub fn normalize_email(raw: &str) -> String {
    let t = raw.trim();
    let t = match (t.rfind('<'), t.rfind('>')) {
        (Some(open), Some(close)) if open < close => &t[open + 1..close],
        _ => t,
    };
    let t = t.trim();
    let t = t.get(..7).filter(|p| p.eq_ignore_ascii_case("mailto:")).map_or(t, |_| &t[7..]);
    t.trim().to_lowercase()
}

/// A social handle as an identity: case-folded, without `@` and without the profile URL
/// around it (`https://www.facebook.com/claudio.perez.92/` → `claudio.perez.92`).
pub fn normalize_handle(kind: IdentityKind, raw: &str) -> String {
    let hosts: &[&str] = match kind {
        IdentityKind::Facebook => &["facebook.com", "fb.com", "m.facebook.com"],
        IdentityKind::Instagram => &["instagram.com", "instagr.am"],
        IdentityKind::X => &["x.com", "twitter.com", "mobile.twitter.com"],
        IdentityKind::Telegram => &["t.me", "telegram.me"],
        _ => &[],
    };
    let lower = raw.trim().to_lowercase();
    let mut t = lower.as_str();
    for scheme in ["https://", "http://"] {
        t = t.strip_prefix(scheme).unwrap_or(t);
    }
    t = t.strip_prefix("www.").unwrap_or(t);
    for host in hosts {
        if let Some(path) = t.strip_prefix(host).and_then(|p| p.strip_prefix('/')) {
            t = path.split(['/', '?', '#']).find(|s| !s.is_empty()).unwrap_or("");
            break;
        }
    }
    t.trim_start_matches('@').trim().to_owned()
}

/// Words a phone field may contain besides digits: a `tel:` scheme and extension markers.
/// Any other word makes it a note rather than a number, and it is kept unparsed: a
/// guessed number would become an identity, and identities merge customers.
const PHONE_WORDS: &[&str] = &["tel", "ext", "extension", "x"];

/// A phone number in E.164, or `None` when it is not a valid number. Extensions are
/// dropped (E.164 has none; the display keeps them), vanity letters are refused.
pub fn normalize_phone(raw: &str, default_region: country::Id) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > 64 {
        return None;
    }
    let lower = trimmed.to_lowercase();
    if lower.split(|c: char| !c.is_alphabetic()).any(|w| !w.is_empty() && !PHONE_WORDS.contains(&w)) {
        return None;
    }
    // "+44 (0)20 …": the national trunk prefix written beside the country code.
    let without_trunk;
    let trimmed = if trimmed.starts_with('+') && trimmed.contains("(0)") {
        without_trunk = trimmed.replacen("(0)", "", 1);
        without_trunk.as_str()
    } else {
        trimmed
    };
    // "0034…" is how Spain and much of Europe dial abroad; the library only knows
    // the international prefix of the default region, so spell it out as "+".
    let cleaned = match trimmed.strip_prefix("00") {
        Some(rest) if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) => format!("+{rest}"),
        _ => trimmed.to_owned(),
    };
    let number = phonenumber::parse(Some(default_region), &cleaned).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
}

/// What a user typed to name a customer on the command line or in search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    CustomerId(i64),
    Email(String),
    Phone(String),
    /// Neither an id, an email nor a valid phone number.
    Unrecognized(String),
}

/// Reads an IDENT: `#42` or a short number is a customer id, `x@y` an email (`@x` is a handle),
/// anything else that parses as a phone number a phone.
pub fn parse_lookup(raw: &str, default_region: country::Id) -> Lookup {
    let t = raw.trim();
    if let Some(id) = t.strip_prefix('#').and_then(|s| s.parse::<i64>().ok()) {
        return Lookup::CustomerId(id);
    }
    if !t.is_empty()
        && t.len() <= 6
        && t.chars().all(|c| c.is_ascii_digit())
        && let Ok(id) = t.parse()
    {
        return Lookup::CustomerId(id);
    }
    // "@handle" is a social handle, not an address.
    if t.contains('@') && !t.starts_with('@') {
        return Lookup::Email(normalize_email(t));
    }
    match normalize_phone(t, default_region) {
        Some(e164) => Lookup::Phone(e164),
        None => Lookup::Unrecognized(t.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es() -> country::Id {
        country::Id::ES
    }

    #[test]
    fn spanish_mobile_in_every_common_spelling_is_one_number() {
        for raw in ["+34 600 123 456", "+34600123456", "0034600123456", "600 123 456", "600123456", "+34 600 12 34 56"]
        {
            assert_eq!(
                normalize_phone(raw, es()).as_deref(),
                Some("+34600123456"),
                "{raw:?} must normalize to Claudio's E.164 number"
            );
        }
    }

    /// Every spelling the issue lists, and the neighbours a helpdesk really sends.
    #[test]
    fn phone_inputs_table() {
        let mx = parse_region("MX").expect("MX");
        let us = parse_region("US").expect("US");
        let table: &[(&str, country::Id, Option<&str>)] = &[
            ("+34 600 12 34 56", es(), Some("+34600123456")),
            ("0034600123456", es(), Some("+34600123456")),
            ("0034 600 123 456", es(), Some("+34600123456")),
            ("600 123 456", es(), Some("+34600123456")),
            ("600-123-456", es(), Some("+34600123456")),
            ("600.123.456", es(), Some("+34600123456")),
            ("600/123456", es(), Some("+34600123456")),
            ("(55) 1234-5678", mx, Some("+525512345678")),
            ("+52 (55) 1234-5678", es(), Some("+525512345678")),
            ("600123456 ext. 12", es(), Some("+34600123456")),
            ("600123456 x12", es(), Some("+34600123456")),
            ("+34 600-123-456 ext 3", es(), Some("+34600123456")),
            ("tel:+34600123456", es(), Some("+34600123456")),
            ("+44 (0)20 7946 0958", es(), Some("+442079460958")),
            ("  +34600123456\t", es(), Some("+34600123456")),
            // Letters: a note, not a number (vanity spellings included).
            ("600 CLAUDIO", es(), None),
            ("1-800-FLOWERS", us, None),
            ("llamar por la tarde", es(), None),
            ("abc", es(), None),
            // Too short, too long, empty, not a phone at all.
            ("", es(), None),
            ("   ", es(), None),
            ("+", es(), None),
            ("00", es(), None),
            ("12", es(), None),
            ("600 12", es(), None),
            ("😀", es(), None),
            ("+34 (0) 600 123 456 0000000000", es(), None),
            ("claudio.perez@example.com", es(), None),
        ];
        for &(raw, region, want) in table {
            assert_eq!(normalize_phone(raw, region).as_deref(), want, "{raw:?} in {region:?}");
            let n = normalize_identity(IdentityInput { kind: IdentityKind::Phone, raw }, region);
            match want {
                Some(e164) => {
                    assert_eq!((n.kind, n.value.as_str()), (IdentityKind::Phone, e164), "{raw:?}");
                    assert_eq!(n.display, raw.trim(), "the display keeps what was written (extension included)");
                }
                None => assert_eq!(n.kind, IdentityKind::PhoneUnparsed, "{raw:?} is kept, marked unparsed"),
            }
        }
    }

    #[test]
    fn handles_and_contacts_per_network() {
        let h = |kind, raw| normalize_identity(IdentityInput { kind, raw }, es()).value;
        assert_eq!(h(IdentityKind::Facebook, "https://www.facebook.com/Claudio.Perez.92/"), "claudio.perez.92");
        assert_eq!(h(IdentityKind::Facebook, "claudio.perez.92"), "claudio.perez.92");
        assert_eq!(h(IdentityKind::Instagram, "@Claudio_Perez"), "claudio_perez");
        assert_eq!(h(IdentityKind::Instagram, "instagram.com/claudio_perez?igsh=1"), "claudio_perez");
        assert_eq!(h(IdentityKind::X, "https://twitter.com/ClaudioP"), "claudiop");
        assert_eq!(h(IdentityKind::X, "@ClaudioP"), "claudiop");
        assert_eq!(h(IdentityKind::Telegram, "t.me/claudiop"), "claudiop");
        // The same handle on two networks is two identities.
        let fb = normalize_identity(IdentityInput { kind: IdentityKind::Facebook, raw: "claudiop" }, es());
        let x = normalize_identity(IdentityInput { kind: IdentityKind::X, raw: "claudiop" }, es());
        assert_ne!((fb.kind, &fb.value), (x.kind, &x.value));
        // Helpdesk contact ids are opaque: trimmed, never case-folded.
        assert_eq!(h(IdentityKind::Contact, " 1:3800 "), "1:3800");
        assert_eq!(h(IdentityKind::Contact, "id:CUST-42"), "id:CUST-42");
    }

    #[test]
    fn garbage_is_kept_unparsed_never_panics() {
        for raw in ["", "   ", "abc", "+", "00", "12", "😀", &"9".repeat(500)] {
            let n = normalize_identity(IdentityInput { kind: IdentityKind::Phone, raw }, es());
            assert_eq!(n.kind, IdentityKind::PhoneUnparsed, "{raw:?} is not a phone number");
        }
    }

    #[test]
    fn emails_are_case_folded() {
        let n =
            normalize_identity(IdentityInput { kind: IdentityKind::Email, raw: " Claudio.Perez@Example.COM " }, es());
        assert_eq!(n.value, "claudio.perez@example.com");
        assert_eq!(n.display, "Claudio.Perez@Example.COM");
        for raw in [
            "CLAUDIO.PEREZ@EXAMPLE.COM",
            "Claudio Pérez <Claudio.Perez@example.com>",
            "mailto:claudio.perez@example.com",
        ] {
            assert_eq!(normalize_email(raw), "claudio.perez@example.com", "{raw:?}");
        }
    }

    #[test]
    fn lookup_tells_ids_emails_and_phones_apart() {
        assert_eq!(parse_lookup("42", es()), Lookup::CustomerId(42));
        assert_eq!(parse_lookup("#123456789", es()), Lookup::CustomerId(123_456_789));
        assert_eq!(parse_lookup("Claudio.Perez@example.com", es()), Lookup::Email("claudio.perez@example.com".into()));
        assert_eq!(parse_lookup("+34 600 123 456", es()), Lookup::Phone("+34600123456".into()));
        assert_eq!(parse_lookup("600123456", es()), Lookup::Phone("+34600123456".into()));
        assert!(matches!(parse_lookup("nobody", es()), Lookup::Unrecognized(_)));
        assert!(matches!(parse_lookup("@claudio.perez.92", es()), Lookup::Unrecognized(_)), "a handle");
    }

    #[test]
    fn default_region_is_not_hard_coded() {
        let mx = parse_region("mx").expect("MX is a region");
        assert_eq!(normalize_phone("55 1234 5678", mx).as_deref(), Some("+525512345678"));
    }
}
