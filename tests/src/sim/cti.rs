//! A CTI poster: what a PBX set up for Zammad's generic CTI sends (PROTOCOLS.md §4.1),
//! written by hand on a raw socket so tests can also send what no HTTP client would
//! (chunked bodies, lies about Content-Length, oversized requests).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response as the poster saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtiPost {
    pub status: u16,
    pub body: String,
}

/// Sends raw bytes as one request and reads the response (the server closes after it).
pub fn post_raw(port: u16, request: &[u8]) -> std::io::Result<CtiPost> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    // The server may answer (413, 411) before reading everything; a failed write is fine.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Ok(CtiPost { status, body })
}

/// `POST path` with `content_type` and `body`, framed with Content-Length.
pub fn post(port: u16, path: &str, content_type: &str, body: &str) -> std::io::Result<CtiPost> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: hilo-cti-poster\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    post_raw(port, request.as_bytes())
}

/// A Zammad-style JSON event to `/api/v1/cti/{token}`.
pub fn post_json(port: u16, token: &str, json: &serde_json::Value) -> std::io::Result<CtiPost> {
    post(port, &format!("/api/v1/cti/{token}"), "application/json", &json.to_string())
}

/// The same as a form, the other encoding Zammad accepts.
pub fn post_form(port: u16, token: &str, pairs: &[(&str, &str)]) -> std::io::Result<CtiPost> {
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v))).collect();
    post(port, &format!("/api/v1/cti/{token}"), "application/x-www-form-urlencoded", &body.join("&"))
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'[' | b']' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
