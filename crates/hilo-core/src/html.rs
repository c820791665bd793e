//! Customer HTML is hostile: it is sanitized here before it is ever stored.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Tags that end a line when rendered.
const LINE_ENDING_TAGS: [&str; 12] = ["br", "p", "div", "li", "tr", "td", "h1", "h2", "h3", "blockquote", "ul", "ol"];

/// Puts a space before every line-ending tag, so words on either side stay apart once
/// the tags are stripped.
fn space_line_ends(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + 16);
    for (i, ch) in html.char_indices() {
        if ch == '<' {
            let rest = &lower[i + 1..];
            let rest = rest.strip_prefix('/').unwrap_or(rest);
            let ends_line = LINE_ENDING_TAGS.iter().any(|t| {
                rest.starts_with(t) && rest[t.len()..].starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace())
            });
            if ends_line {
                out.push(' ');
            }
        }
        out.push(ch);
    }
    out
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // Remote images are tracking pixels until the agent asks for them: drop <img> entirely.
    b.rm_tags(["img"]);
    // Only links that leave the app through the OS browser.
    b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
    b.link_rel(Some("noopener noreferrer nofollow"));
    b.strip_comments(true);
    b
});

/// Sanitized HTML: no scripts, event handlers, styles, `javascript:` URLs or images.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The text a person would read, for search and previews.
pub fn to_text(html: &str) -> String {
    // Line breaks and block ends separate words; without a space "saludo,<br>Lucy"
    // would read (and be searched) as one word.
    let spaced = space_line_ends(html);
    let stripped = ammonia::Builder::empty().clean(&spaced).to_string();
    let decoded = stripped
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_defused() {
        let evil = r#"<p onclick="steal()">Hola <script>alert(1)</script><a href="javascript:alert(2)">aquí</a>
            <img src="https://tracker.example/p.gif"><style>body{display:none}</style>
            <a href="https://shop.example/pedido/1">pedido</a></p>"#;
        let clean = sanitize(evil);
        for bad in ["script", "onclick", "javascript:", "<img", "tracker.example", "<style", "display:none"] {
            assert!(!clean.contains(bad), "{bad:?} must not survive sanitizing: {clean}");
        }
        assert!(clean.contains(r#"href="https://shop.example/pedido/1""#), "safe links stay: {clean}");
        assert_eq!(to_text("<p>Hola&nbsp;<b>Claudio</b> &amp; co</p>"), "Hola Claudio & co");
        assert_eq!(to_text("Un saludo,<br>Lucy<div>P.D.</div>"), "Un saludo, Lucy P.D.");
    }
}
