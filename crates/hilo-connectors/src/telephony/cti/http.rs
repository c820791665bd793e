//! Just enough HTTP/1.1 for a webhook receiver on loopback: one request per connection,
//! bodies framed by `Content-Length` only (chunked → 411), every size bounded.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Request line + headers.
pub const MAX_HEAD: usize = 8 * 1024;
/// A CTI event is a few hundred bytes; 16 KiB leaves room for long user lists.
pub const MAX_BODY: usize = 16 * 1024;

/// A request the listener refuses, with the status and a JSON error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub content_length: usize,
}

impl RequestHead {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path without its query string.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub head: RequestHead,
    pub body: Vec<u8>,
}

/// Parses a request head (everything before the blank line). Pure; never panics.
pub fn parse_head(head: &[u8]) -> Result<RequestHead, Refusal> {
    let text = std::str::from_utf8(head).map_err(|_| Refusal::new(400, "the request head is not UTF-8"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::new(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(Refusal::new(400, "malformed request line"));
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((k, v)) = line.split_once(':') else {
            return Err(Refusal::new(400, "malformed header line"));
        };
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(Refusal::new(400, "malformed header name"));
        }
        headers.push((k.to_owned(), v.trim().to_owned()));
    }
    let mut head = RequestHead { method: method.to_owned(), target: target.to_owned(), headers, content_length: 0 };
    if head.header("Transfer-Encoding").is_some() {
        return Err(Refusal::new(411, "chunked bodies are not accepted; send Content-Length"));
    }
    let mut lengths = head.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("Content-Length")).map(|(_, v)| v);
    head.content_length = match (lengths.next(), lengths.next()) {
        (None, _) if head.method == "POST" => return Err(Refusal::new(411, "Content-Length is required")),
        (None, _) => 0,
        (Some(a), Some(b)) if a != b => return Err(Refusal::new(400, "conflicting Content-Length headers")),
        (Some(v), _) => match v.parse::<usize>() {
            Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(Refusal::new(400, "invalid Content-Length")),
        },
    };
    if head.content_length > MAX_BODY {
        return Err(Refusal::new(413, format!("the body is larger than {MAX_BODY} bytes")));
    }
    Ok(head)
}

/// Reads one request. The caller bounds the time it may take.
pub async fn read_request<S>(stream: &mut S) -> Result<Request, Refusal>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(Refusal::new(431, "the request head is too large"));
        }
        let n = stream.read(&mut chunk).await.map_err(|_| Refusal::new(400, "the connection failed"))?;
        if n == 0 {
            return Err(Refusal::new(400, "the request ended early"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_end.0 > MAX_HEAD {
        return Err(Refusal::new(431, "the request head is too large"));
    }
    let head = parse_head(&buf[..head_end.0])?;
    let mut body = buf[head_end.1..].to_vec();
    if body.len() < head.content_length && head.header("Expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        // curl waits a second for this before sending bodies over 1 KiB.
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
    }
    while body.len() < head.content_length {
        let n = stream.read(&mut chunk).await.map_err(|_| Refusal::new(400, "the connection failed"))?;
        if n == 0 {
            return Err(Refusal::new(400, "the body is shorter than its Content-Length"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(head.content_length);
    Ok(Request { head, body })
}

/// (end of head, start of body): the first blank line, CRLF or bare LF.
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// A complete response; the connection closes after it.
pub fn response(status: u16, json_body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json_body}",
        json_body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_parsed_and_bad_framing_refused() {
        let h =
            parse_head(b"POST /api/v1/cti/abc?x=1 HTTP/1.1\r\nContent-Length: 12\r\nContent-Type: application/json")
                .expect("valid");
        assert_eq!((h.method.as_str(), h.path(), h.content_length), ("POST", "/api/v1/cti/abc", 12));
        let status = |raw: &[u8]| parse_head(raw).err().map(|r| r.status);
        assert_eq!(status(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked"), Some(411), "chunked is refused");
        assert_eq!(status(b"POST / HTTP/1.1"), Some(411), "a POST must say how long it is");
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: 99999"), Some(413), "over the cap");
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: +5"), Some(400));
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6"), Some(400));
        assert_eq!(status(b"GARBAGE"), Some(400));
        assert_eq!(status(b"\xff\xfe"), Some(400));
    }
}
