//! Channel names and header values as PBXs spell them: per-call suffixes, placeholders,
//! extensions. Pure string work; never panics on any input.

/// Drops placeholders and blanks: `<unknown>`, `<Unknown>`, empty or spaces → `None`.
pub fn clean(value: Option<&str>) -> Option<String> {
    let v = value?.trim();
    if v.is_empty() || (v.starts_with('<') && v.ends_with('>')) { None } else { Some(v.to_owned()) }
}

/// The endpoint of a channel: Asterisk's `-<8 hex>` per-call suffix (and a Local
/// channel's `;1`/`;2` half) and a SIP `@host` part are removed.
/// `PJSIP/1986-0000001c` → `PJSIP/1986`; `sofia/internal/1000@10.0.0.1` → `sofia/internal/1000`.
pub fn endpoint_of(channel: &str) -> String {
    let channel = channel.trim();
    let without_half = match channel.rsplit_once(';') {
        Some((head, half)) if !half.is_empty() && half.chars().all(|c| c.is_ascii_digit()) => head,
        _ => channel,
    };
    // Asterisk formats the sequence as %08x; a shorter hex tail is part of the name.
    let without_seq = match without_half.rsplit_once('-') {
        Some((head, seq)) if !head.is_empty() && seq.len() >= 8 && seq.chars().all(|c| c.is_ascii_hexdigit()) => head,
        _ => without_half,
    };
    match without_seq.split_once('@') {
        Some((head, _)) if !head.is_empty() => head.to_owned(),
        _ => without_seq.to_owned(),
    }
}

/// The extension an endpoint names: the last `/` segment of [`endpoint_of`].
/// `PJSIP/1986-0000001c` → `1986`; `user/1000` → `1000`; `Local/1986@from-queue-00000001;1` → `1986`.
pub fn extension_of(channel: &str) -> Option<String> {
    let endpoint = endpoint_of(channel);
    let ext = endpoint.rsplit('/').next().unwrap_or_default().trim();
    (!ext.is_empty()).then(|| ext.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_lose_their_per_call_suffix() {
        assert_eq!(endpoint_of("PJSIP/1986-00000012"), "PJSIP/1986", "the suffix names the call, not the phone");
        assert_eq!(endpoint_of("PJSIP/trunk-provider-0000001a"), "PJSIP/trunk-provider");
        assert_eq!(endpoint_of("SIP/cafe-babe"), "SIP/cafe-babe", "a short hex tail is part of the name");
        assert_eq!(endpoint_of("Local/1986@from-queue-00000001;1"), "Local/1986");
        assert_eq!(endpoint_of("sofia/internal/1000@192.168.0.10"), "sofia/internal/1000");
        assert_eq!(endpoint_of("PJSIP/1986"), "PJSIP/1986");
        assert_eq!(endpoint_of(""), "");
        assert_eq!(endpoint_of("-00000012"), "-00000012");
    }

    #[test]
    fn extensions_are_the_last_segment() {
        assert_eq!(extension_of("PJSIP/1986-0000001c").as_deref(), Some("1986"));
        assert_eq!(extension_of("user/1000").as_deref(), Some("1000"));
        assert_eq!(extension_of("sofia/internal/1000@10.0.0.1").as_deref(), Some("1000"));
        assert_eq!(extension_of("Local/1986@from-queue-00000001;2").as_deref(), Some("1986"));
        assert_eq!(extension_of("1986").as_deref(), Some("1986"));
        assert_eq!(extension_of("PJSIP/"), None);
    }

    #[test]
    fn placeholders_are_no_value() {
        assert_eq!(clean(Some("<unknown>")), None);
        assert_eq!(clean(Some("  ")), None);
        assert_eq!(clean(None), None);
        assert_eq!(clean(Some(" 21 ")).as_deref(), Some("21"));
    }
}
