//! One raw RFC 5322 message → the facts Hilo keeps: ids for threading, addresses,
//! subject, date, text, the HTML exactly as sent (hilo-core sanitizes it before it is
//! stored), and attachment metadata. Parsing is mail-parser's (0.11).

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use crate::helpdesk::SourceAttachment;

/// Text beyond this many bytes is cut (a pasted log or a forwarded archive would
/// otherwise bloat the cache and its search index).
pub const MAX_TEXT_BYTES: usize = 256 * 1024;
/// HTML beyond this is dropped (the text part still shows).
pub const MAX_HTML_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedMail {
    /// Without angle brackets.
    pub message_id: String,
    pub synthetic_id: bool,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Case-folded address and the display name.
    pub from: Option<(String, Option<String>)>,
    pub reply_to: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: Option<String>,
    /// The Date header (ms since the epoch), when present and sane.
    pub date: Option<i64>,
    pub text: String,
    /// As sent: hostile until sanitized.
    pub html: Option<String>,
    pub attachments: Vec<SourceAttachment>,
}

/// Case-folds an address; `None` for things that are not one (groups' names, URLs).
pub fn normalize_address(a: &str) -> Option<String> {
    let a = a.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (a.contains('@') && !a.contains(char::is_whitespace)).then(|| a.to_lowercase())
}

fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for addr in a.into_iter().flat_map(|a| a.iter()) {
        if let Some(n) = addr.address().and_then(normalize_address)
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match v {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|s| s.as_ref()).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw.into_iter().filter_map(clean_id) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A Message-ID without brackets or spaces; `None` when nothing usable is left.
pub fn clean_id(raw: &str) -> Option<String> {
    let id = raw.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty() && id.len() <= 512 && !id.contains(char::is_whitespace)).then(|| id.to_owned())
}

/// A stable id for a message that has no Message-ID: the same bytes always give the
/// same id, so a resync (or a second copy) does not duplicate it.
pub fn synthetic_id(raw: &[u8]) -> String {
    let parsed = MessageParser::default().parse_headers(raw);
    let mut h = Sha256::new();
    if let Some(m) = &parsed {
        for name in ["Date", "From", "To", "Cc", "Subject"] {
            h.update(name.as_bytes());
            h.update(b":");
            h.update(m.header_raw(name).unwrap_or("").trim().as_bytes());
            h.update(b"\n");
        }
    }
    // The body tells apart two messages with equal headers (an automated notice sent
    // twice in the same second).
    let body_at = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).unwrap_or(raw.len());
    h.update(&raw[body_at..]);
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("synthetic.{hex}@hilo.invalid")
}

fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push_str("\n[…]");
    }
    s
}

/// Parses a whole message (`BODY[]`) or, for messages too large to download, only its
/// header (`BODY[HEADER]`, `truncated_size` = the full size).
pub fn parse(raw: &[u8], truncated_size: Option<u64>) -> Option<ParsedMail> {
    let m = MessageParser::default().parse(raw)?;
    let (message_id, synthetic) = match m.message_id().and_then(clean_id) {
        Some(id) => (id, false),
        None => (synthetic_id(raw), true),
    };
    let from = m.from().and_then(|a| a.first()).and_then(|a| {
        let addr = a.address().and_then(normalize_address)?;
        let name = a.name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        Some((addr, name))
    });
    let subject = m.subject().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let date = m.date().map(|d| d.to_timestamp().saturating_mul(1000)).filter(|ms| *ms > 0);

    // Only real parts: mail-parser also offers HTML made from text and text made from
    // HTML, which would store invented content (and skip sanitizing's text path).
    let text = m
        .text_part(0)
        .filter(|p| p.is_text() && !p.is_text_html())
        .and_then(|p| p.text_contents())
        .map(|t| cut(t.to_owned(), MAX_TEXT_BYTES))
        .unwrap_or_default();
    let html = m
        .html_part(0)
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents())
        .filter(|h| h.len() <= MAX_HTML_BYTES && !h.trim().is_empty())
        .map(str::to_owned);

    let attachments = m
        .attachments()
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
                .to_ascii_lowercase();
            SourceAttachment {
                filename: part.attachment_name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
                content_type,
                size: part.len() as u64,
                inline: part.content_disposition().is_some_and(|d| d.is_inline()),
            }
        })
        .collect();

    let mut text = text;
    if let Some(size) = truncated_size {
        text = format!("[This message is {} MB; only its header was downloaded.]", size.div_ceil(1024 * 1024));
    }
    Some(ParsedMail {
        message_id,
        synthetic_id: synthetic,
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        from,
        reply_to: addresses(m.reply_to()),
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        subject,
        date,
        text,
        html: if truncated_size.is_some() { None } else { html },
        attachments,
    })
}

/// The subject without `Re:` / `Fwd:` / `RV:` / `AW:` prefixes, for the conversation title.
pub fn base_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let prefix = ["re:", "fw:", "fwd:", "rv:", "aw:", "wg:", "tr:", "sv:", "vs:", "r:"]
            .iter()
            .find(|p| lower.starts_with(*p));
        match prefix {
            Some(p) => s = s[p.len()..].trim_start(),
            None => return s.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &str = "Message-ID: <root-1@example.com>\r\n\
From: \"Claudio Pérez\" <Claudio.Perez@Example.com>\r\n\
To: Soporte <support@example.com>\r\n\
Cc: a@example.org, not-an-address\r\n\
Subject: =?UTF-8?Q?Pedido_no_lleg=C3=B3?=\r\n\
Date: Mon, 3 Mar 2025 10:15:00 +0100\r\n\
In-Reply-To: <p@x>\r\n\
References: <r0@x> <p@x>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: multipart/alternative; boundary=\"b2\"\r\n\
\r\n\
--b2\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hola, mi pedido no llegó.\r\n\
--b2\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Hola, <b>mi pedido</b> no llegó.</p>\r\n\
--b2--\r\n\
--b1\r\n\
Content-Type: application/pdf; name=\"factura.pdf\"\r\n\
Content-Disposition: attachment; filename=\"factura.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b1--\r\n";

    #[test]
    fn a_multipart_message_gives_ids_addresses_bodies_and_attachments() {
        let m = parse(MULTIPART.as_bytes(), None).expect("parses");
        assert_eq!(m.message_id, "root-1@example.com");
        assert!(!m.synthetic_id);
        assert_eq!(m.from, Some(("claudio.perez@example.com".into(), Some("Claudio Pérez".into()))));
        assert_eq!(m.to, vec!["support@example.com"]);
        assert_eq!(m.cc, vec!["a@example.org"], "non-addresses are dropped");
        assert_eq!(m.subject.as_deref(), Some("Pedido no llegó"), "RFC 2047 decoded");
        assert_eq!(m.date, Some(1_740_993_300_000));
        assert_eq!(m.in_reply_to, vec!["p@x"]);
        assert_eq!(m.references, vec!["r0@x", "p@x"]);
        assert_eq!(m.text.trim(), "Hola, mi pedido no llegó.");
        assert!(m.html.as_deref().is_some_and(|h| h.contains("<b>mi pedido</b>")));
        assert_eq!(m.attachments.len(), 1);
        let a = &m.attachments[0];
        assert_eq!(
            (a.filename.as_deref(), a.content_type.as_str(), a.size, a.inline),
            (Some("factura.pdf"), "application/pdf", 9, false)
        );
    }

    #[test]
    fn plain_text_mail_has_no_invented_html_and_no_id_gets_a_stable_synthetic_one() {
        let raw = b"From: a@b.c\r\nSubject: hi\r\nDate: Tue, 4 Mar 2025 09:00:00 +0000\r\n\r\nbody one\r\n";
        let m = parse(raw, None).expect("parses");
        assert!(m.html.is_none(), "no HTML made up from text");
        assert!(m.synthetic_id);
        assert_eq!(m.message_id, parse(raw, None).expect("again").message_id, "stable across parses");
        let other = b"From: a@b.c\r\nSubject: hi\r\nDate: Tue, 4 Mar 2025 09:00:00 +0000\r\n\r\nbody two\r\n";
        assert_ne!(m.message_id, parse(other, None).expect("other").message_id, "different bodies, different ids");
    }

    #[test]
    fn subjects_lose_reply_prefixes() {
        assert_eq!(base_subject("Re: RE: Fwd: Pedido"), "Pedido");
        assert_eq!(base_subject("RV: Pedido"), "Pedido");
        assert_eq!(base_subject("Recibo"), "Recibo", "a word starting like a prefix stays");
    }
}
