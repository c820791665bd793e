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
        IdentityKind::Email => NormalizedIdentity { kind: IdentityKind::Email, value: display.to_lowercase(), display },
        IdentityKind::Phone | IdentityKind::PhoneUnparsed => match normalize_phone(&display, default_region) {
            Some(e164) => NormalizedIdentity { kind: IdentityKind::Phone, value: e164, display },
            None => NormalizedIdentity {
                kind: IdentityKind::PhoneUnparsed,
                value: display.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase(),
                display,
            },
        },
        kind @ (IdentityKind::Facebook | IdentityKind::Instagram | IdentityKind::X | IdentityKind::Telegram) => {
            NormalizedIdentity { kind, value: display.trim_start_matches('@').to_lowercase(), display }
        }
        IdentityKind::Contact => NormalizedIdentity { kind: IdentityKind::Contact, value: display.clone(), display },
    }
}

/// A phone number in E.164, or `None` when it is not a valid number.
pub fn normalize_phone(raw: &str, default_region: country::Id) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > 64 {
        return None;
    }
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

/// Reads an IDENT: `#42` or a short number is a customer id, anything with `@` an email,
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
    if t.contains('@') {
        return Lookup::Email(t.to_lowercase());
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
    }

    #[test]
    fn lookup_tells_ids_emails_and_phones_apart() {
        assert_eq!(parse_lookup("42", es()), Lookup::CustomerId(42));
        assert_eq!(parse_lookup("#123456789", es()), Lookup::CustomerId(123_456_789));
        assert_eq!(parse_lookup("Claudio.Perez@example.com", es()), Lookup::Email("claudio.perez@example.com".into()));
        assert_eq!(parse_lookup("+34 600 123 456", es()), Lookup::Phone("+34600123456".into()));
        assert_eq!(parse_lookup("600123456", es()), Lookup::Phone("+34600123456".into()));
        assert!(matches!(parse_lookup("nobody", es()), Lookup::Unrecognized(_)));
    }

    #[test]
    fn default_region_is_not_hard_coded() {
        let mx = parse_region("mx").expect("MX is a region");
        assert_eq!(normalize_phone("55 1234 5678", mx).as_deref(), Some("+525512345678"));
    }
}
