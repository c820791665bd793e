//! FreeSWITCH Event Socket framing (PROTOCOLS.md §3.1): LF-ended header blocks, an
//! optional `Content-Length` body, and `text/event-plain` bodies that are themselves
//! URL-encoded header blocks which may carry their own body. Incremental, bounded,
//! never panics.

/// Longest header line kept while waiting for its end.
pub const MAX_LINE: usize = 16 * 1024;
/// Most headers in one block (a channel event has ~150–250 with variables).
pub const MAX_HEADERS: usize = 2048;
/// Largest body accepted (events are a few KiB; `api` output can be longer).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EslParseError {
    #[error("a header line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("more than {MAX_HEADERS} headers in one block")]
    TooManyHeaders,
    #[error("Content-Length {0:?} is not a size this client accepts")]
    BadContentLength(String),
}

/// Headers in their order, repeats kept (the cgrates capture has `Hangup-Cause` twice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// The first value of `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One message from the server: `auth/request`, `command/reply`, `api/response`,
/// `text/event-plain`, `text/disconnect-notice`…
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EslMessage {
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl EslMessage {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("Content-Type").map(str::trim)
    }

    pub fn reply_text(&self) -> Option<&str> {
        self.headers.get("Reply-Text").map(str::trim)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Headers,
    Body(usize),
}

/// Incremental ESL decoder: `feed` bytes, then `next_message` until `None`.
#[derive(Debug)]
pub struct EslDecoder {
    buf: Vec<u8>,
    start: usize,
    scanned: usize,
    headers: Vec<(String, String)>,
    state: State,
}

impl Default for EslDecoder {
    fn default() -> EslDecoder {
        EslDecoder::new()
    }
}

impl EslDecoder {
    pub fn new() -> EslDecoder {
        EslDecoder { buf: Vec::new(), start: 0, scanned: 0, headers: Vec::new(), state: State::Headers }
    }

    pub fn feed(&mut self, data: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            self.scanned = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// True while part of a message is buffered.
    pub fn has_partial(&self) -> bool {
        !self.headers.is_empty() || self.start < self.buf.len() || self.state != State::Headers
    }

    pub fn next_message(&mut self) -> Result<Option<EslMessage>, EslParseError> {
        loop {
            if let State::Body(len) = self.state {
                if self.buf.len() - self.start < len {
                    self.compact();
                    return Ok(None);
                }
                let body = self.buf[self.start..self.start + len].to_vec();
                self.start += len;
                self.scanned = self.start;
                self.state = State::Headers;
                return Ok(Some(EslMessage { headers: Headers(std::mem::take(&mut self.headers)), body }));
            }
            let from = self.scanned.max(self.start);
            let Some(offset) = self.buf[from..].iter().position(|&b| b == b'\n') else {
                self.scanned = self.buf.len();
                if self.buf.len() - self.start > MAX_LINE {
                    return Err(EslParseError::LineTooLong);
                }
                self.compact();
                return Ok(None);
            };
            let end = from + offset;
            if end - self.start > MAX_LINE {
                return Err(EslParseError::LineTooLong);
            }
            let raw = &self.buf[self.start..end];
            // ESL is LF-only; a stray CR (a proxy, a hand-typed test) is not part of the value.
            let line = String::from_utf8_lossy(raw.strip_suffix(b"\r").unwrap_or(raw)).into_owned();
            self.start = end + 1;
            self.scanned = self.start;
            if line.is_empty() {
                if self.headers.is_empty() {
                    continue;
                }
                let length = content_length(&self.headers)?;
                match length {
                    Some(len) if len > 0 => self.state = State::Body(len),
                    _ => {
                        return Ok(Some(EslMessage {
                            headers: Headers(std::mem::take(&mut self.headers)),
                            body: Vec::new(),
                        }));
                    }
                }
                continue;
            }
            if self.headers.len() >= MAX_HEADERS {
                return Err(EslParseError::TooManyHeaders);
            }
            self.headers.push(split_header(&line, false));
        }
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start.min(self.scanned);
            self.start = 0;
        }
    }
}

fn content_length(headers: &[(String, String)]) -> Result<Option<usize>, EslParseError> {
    let Some((_, v)) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("Content-Length")) else {
        return Ok(None);
    };
    match v.trim().parse::<usize>() {
        Ok(n) if n <= MAX_BODY => Ok(Some(n)),
        _ => Err(EslParseError::BadContentLength(v.chars().take(32).collect())),
    }
}

fn split_header(line: &str, url_decoded: bool) -> (String, String) {
    let (k, v) = match line.split_once(':') {
        Some((k, v)) => (k.trim(), v.strip_prefix(' ').unwrap_or(v)),
        None => ("", line),
    };
    let v = if url_decoded { url_decode(v) } else { v.to_owned() };
    (k.to_owned(), v)
}

/// `%XX` escapes decoded; a malformed escape is kept as written. `+` stays `+`: FreeSWITCH
/// escapes spaces as `%20`, and a literal `+` is far more likely an E.164 prefix.
pub fn url_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(hex), bytes.get(i + 2).and_then(hex))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A `text/event-plain` event: URL-decoded headers, and the event's own body (the
/// output of a `BACKGROUND_JOB`, a `MESSAGE` text) when its headers announce one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EslEvent {
    pub headers: Headers,
    pub body: String,
}

impl EslEvent {
    pub fn name(&self) -> Option<&str> {
        self.headers.get("Event-Name").map(str::trim)
    }

    /// Parses the body of a `text/event-plain` message. Lenient: a missing blank line or
    /// a short own body are accepted as far as they go; sizes are bounded by the
    /// decoder that produced `body`.
    pub fn parse_plain(body: &[u8]) -> Result<EslEvent, EslParseError> {
        let mut headers = Vec::new();
        let mut rest: &[u8] = &[];
        let mut remaining = body;
        while !remaining.is_empty() {
            let (line, after) = match remaining.iter().position(|&b| b == b'\n') {
                Some(i) => (&remaining[..i], &remaining[i + 1..]),
                None => (remaining, &[][..]),
            };
            remaining = after;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                if headers.is_empty() {
                    continue;
                }
                rest = remaining;
                break;
            }
            if headers.len() >= MAX_HEADERS {
                return Err(EslParseError::TooManyHeaders);
            }
            headers.push(split_header(&String::from_utf8_lossy(line), true));
        }
        let own_length = content_length(&headers)?.unwrap_or(0);
        let own_body = &rest[..own_length.min(rest.len())];
        Ok(EslEvent { headers: Headers(headers), body: String::from_utf8_lossy(own_body).into_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_body() -> Vec<u8> {
        let inner = "+OK 5f0d2a7c-1111-4222-8333-944445555666\n";
        format!(
            "Event-Name: BACKGROUND_JOB\nJob-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621\n\
             Job-Command: originate\nEvent-Date-Local: 2015-07-07%2016%3A53%3A14\n\
             Caller-Caller-ID-Number: %2B34600123456\nHangup-Cause: NORMAL_CLEARING\nHangup-Cause: USER_BUSY\n\
             Content-Length: {}\n\n{inner}",
            inner.len()
        )
        .into_bytes()
    }

    fn stream() -> Vec<u8> {
        let body = event_body();
        let mut s = b"Content-Type: auth/request\n\n".to_vec();
        s.extend_from_slice(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n");
        s.extend_from_slice(format!("Content-Length: {}\nContent-Type: text/event-plain\n\n", body.len()).as_bytes());
        s.extend_from_slice(&body);
        s.extend_from_slice(b"Content-Type: api/response\nContent-Length: 3\n\n+OK");
        s
    }

    fn decode_all(chunks: &[&[u8]]) -> Vec<EslMessage> {
        let mut d = EslDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c);
            while let Ok(Some(m)) = d.next_message() {
                out.push(m);
            }
        }
        out
    }

    #[test]
    fn every_split_gives_the_same_messages() {
        let s = stream();
        let whole = decode_all(&[&s]);
        assert_eq!(whole.len(), 4, "{whole:?}");
        for cut in 0..s.len() {
            assert_eq!(decode_all(&[&s[..cut], &s[cut..]]), whole, "split at {cut}");
        }
    }

    #[test]
    fn events_are_url_decoded_and_carry_their_own_body() {
        let whole = decode_all(&[&stream()]);
        assert_eq!(whole[2].content_type(), Some("text/event-plain"));
        let ev = EslEvent::parse_plain(&whole[2].body).expect("event");
        assert_eq!(ev.name(), Some("BACKGROUND_JOB"));
        assert_eq!(ev.headers.get("Event-Date-Local"), Some("2015-07-07 16:53:14"));
        assert_eq!(ev.headers.get("Caller-Caller-ID-Number"), Some("+34600123456"));
        assert_eq!(ev.headers.get_all("Hangup-Cause").count(), 2, "repeated headers are kept");
        assert_eq!(ev.body, "+OK 5f0d2a7c-1111-4222-8333-944445555666\n", "the job's output is the event's own body");
        assert_eq!(whole[3].body, b"+OK");
    }

    #[test]
    fn hostile_lengths_are_refused_and_bad_escapes_kept() {
        let mut d = EslDecoder::new();
        d.feed(b"Content-Length: 99999999999\n\n");
        assert!(matches!(d.next_message(), Err(EslParseError::BadContentLength(_))));
        let mut d = EslDecoder::new();
        d.feed(b"Content-Length: -1\n\n");
        assert!(d.next_message().is_err());
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz%4"), "%zz%4");
        assert_eq!(url_decode("%C3%A9"), "é");
    }

    #[test]
    fn a_body_cut_short_is_partial() {
        let mut d = EslDecoder::new();
        d.feed(b"Content-Type: api/response\nContent-Length: 10\n\n+OK");
        assert_eq!(d.next_message(), Ok(None));
        assert!(d.has_partial());
    }
}
