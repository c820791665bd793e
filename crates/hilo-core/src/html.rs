//! Customer HTML is hostile: it is sanitized here before it is ever stored.

use std::collections::HashSet;
use std::sync::LazyLock;

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
    let stripped = ammonia::Builder::empty().clean(html).to_string();
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
    }
}
