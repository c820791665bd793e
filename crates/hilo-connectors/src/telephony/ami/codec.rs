//! AMI framing: a banner line, then packets of `Key: Value` lines ended by an empty line
//! (PROTOCOLS.md §1.1). The decoder is incremental and never panics: it takes bytes as
//! they arrive (split packets, several per read), keeps repeated keys and empty values,
//! tolerates bare `\n`, and bounds what a hostile peer can make it hold.

/// Longest line kept while waiting for its end; longer means the peer is not AMI.
pub const MAX_LINE: usize = 16 * 1024;
/// Most fields in one packet (real events have ~20–40, Originate ~15).
pub const MAX_FIELDS: usize = 512;

const BANNER_PREFIX: &str = "Asterisk Call Manager/";

/// One AMI packet: an action, a response or an event. Fields keep their order and
/// their repeats (`Variable`, `ChanVariable`); keys are compared case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmiPacket {
    fields: Vec<(String, String)>,
}

impl AmiPacket {
    pub fn new() -> AmiPacket {
        AmiPacket::default()
    }

    /// Builder for actions: `AmiPacket::action("Ping").with("ActionID", "7")`.
    pub fn action(name: &str) -> AmiPacket {
        AmiPacket::new().with("Action", name)
    }

    pub fn with(mut self, key: &str, value: &str) -> AmiPacket {
        self.push(key, value);
        self
    }

    pub fn push(&mut self, key: &str, value: &str) {
        self.fields.push((key.to_owned(), value.to_owned()));
    }

    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The first value of `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// Every value of a key that may repeat.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    pub fn event(&self) -> Option<&str> {
        self.get("Event")
    }

    pub fn response(&self) -> Option<&str> {
        self.get("Response")
    }

    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    /// The packet on the wire. CR and LF inside keys or values become spaces: a value
    /// taken from user input can never smuggle a second action onto the link.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.fields.len() * 24 + 2);
        for (k, v) in &self.fields {
            out.extend(k.bytes().map(no_line_breaks));
            out.extend_from_slice(b": ");
            out.extend(v.bytes().map(no_line_breaks));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

fn no_line_breaks(b: u8) -> u8 {
    if b == b'\r' || b == b'\n' { b' ' } else { b }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmiFrame {
    /// `Asterisk Call Manager/<AMI version>` — the version part.
    Banner(String),
    Packet(AmiPacket),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmiParseError {
    #[error("a line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("a packet with more than {MAX_FIELDS} fields")]
    TooManyFields,
}

/// Incremental AMI decoder: `feed` bytes, then take frames with `next_frame` until `None`.
#[derive(Debug)]
pub struct AmiDecoder {
    buf: Vec<u8>,
    /// Bytes of `buf` before this are consumed.
    start: usize,
    /// Where the search for the next `\n` resumes, so a long line arriving in many
    /// small reads is scanned once, not once per read.
    scanned: usize,
    fields: Vec<(String, String)>,
    expect_banner: bool,
}

impl Default for AmiDecoder {
    fn default() -> AmiDecoder {
        AmiDecoder::new()
    }
}

impl AmiDecoder {
    /// A decoder for a fresh connection: the first line may be the banner.
    pub fn new() -> AmiDecoder {
        AmiDecoder { buf: Vec::new(), start: 0, scanned: 0, fields: Vec::new(), expect_banner: true }
    }

    pub fn feed(&mut self, data: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            self.scanned = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// True while part of a packet is buffered: if the socket closes now, that packet
    /// is lost (the caller reports the link as closed mid-packet).
    pub fn has_partial(&self) -> bool {
        !self.fields.is_empty() || self.start < self.buf.len()
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed. After an error
    /// the stream is not AMI and should be dropped.
    pub fn next_frame(&mut self) -> Result<Option<AmiFrame>, AmiParseError> {
        loop {
            let from = self.scanned.max(self.start);
            let Some(offset) = self.buf[from..].iter().position(|&b| b == b'\n') else {
                self.scanned = self.buf.len();
                if self.buf.len() - self.start > MAX_LINE {
                    return Err(AmiParseError::LineTooLong);
                }
                self.compact();
                return Ok(None);
            };
            let end = from + offset;
            if end - self.start > MAX_LINE {
                return Err(AmiParseError::LineTooLong);
            }
            let mut line = &self.buf[self.start..end];
            if let Some(stripped) = line.strip_suffix(b"\r") {
                line = stripped;
            }
            let line = String::from_utf8_lossy(line).into_owned();
            self.start = end + 1;
            self.scanned = self.start;

            if std::mem::take(&mut self.expect_banner)
                && let Some(version) = line.strip_prefix(BANNER_PREFIX)
            {
                return Ok(Some(AmiFrame::Banner(version.trim().to_owned())));
            }
            if line.is_empty() {
                if self.fields.is_empty() {
                    // Stray blank lines between packets carry nothing.
                    continue;
                }
                return Ok(Some(AmiFrame::Packet(AmiPacket { fields: std::mem::take(&mut self.fields) })));
            }
            if self.fields.len() >= MAX_FIELDS {
                return Err(AmiParseError::TooManyFields);
            }
            self.fields.push(split_field(&line));
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

/// `Key: Value` → (key, value). One space after the colon belongs to the syntax; a
/// line without a colon (legacy `Response: Follows` output) keeps its text as the value
/// of an empty key.
fn split_field(line: &str) -> (String, String) {
    match line.split_once(':') {
        Some((k, v)) => (k.trim().to_owned(), v.strip_prefix(' ').unwrap_or(v).to_owned()),
        None => (String::new(), line.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(chunks: &[&[u8]]) -> (Vec<AmiFrame>, Option<AmiParseError>) {
        let mut d = AmiDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c);
            loop {
                match d.next_frame() {
                    Ok(Some(f)) => out.push(f),
                    Ok(None) => break,
                    Err(e) => return (out, Some(e)),
                }
            }
        }
        (out, None)
    }

    const STREAM: &[u8] = b"Asterisk Call Manager/5.0.3\r\n\
Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n\
Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/21-0000001b\r\nConnectedLineNum: <unknown>\r\nAccountCode: \r\nChanVariable: a=1\r\nChanVariable: b=2\r\nUniqueid: 1770888534.43\r\nLinkedid: 1770888534.43\r\n\r\n\
Event: SomethingNew\r\nFoo: bar\r\n\r\n";

    #[test]
    fn every_split_of_a_stream_gives_the_same_packets() {
        let (whole, err) = decode_all(&[STREAM]);
        assert!(err.is_none());
        assert_eq!(whole.len(), 4, "banner, response, event, unknown event: {whole:?}");
        for cut in 0..STREAM.len() {
            let (split, err) = decode_all(&[&STREAM[..cut], &STREAM[cut..]]);
            assert!(err.is_none());
            assert_eq!(split, whole, "a packet split at byte {cut} must decode the same");
        }
        let bytes: Vec<&[u8]> = STREAM.chunks(1).collect();
        assert_eq!(decode_all(&bytes).0, whole, "one byte per read");
    }

    #[test]
    fn repeated_keys_empty_values_and_placeholders_are_kept() {
        let (frames, _) = decode_all(&[STREAM]);
        let AmiFrame::Packet(ev) = &frames[2] else { panic!("event expected: {frames:?}") };
        assert_eq!(ev.event(), Some("Newchannel"));
        assert_eq!(ev.get("accountcode"), Some(""), "empty value, case-insensitive key");
        assert_eq!(ev.get("ConnectedLineNum"), Some("<unknown>"));
        assert_eq!(ev.get_all("ChanVariable").collect::<Vec<_>>(), ["a=1", "b=2"], "repeats are kept in order");
        assert_eq!(frames[0], AmiFrame::Banner("5.0.3".into()));
    }

    #[test]
    fn a_packet_cut_by_a_closed_socket_is_reported_partial() {
        let mut d = AmiDecoder::new();
        d.feed(b"Asterisk Call Manager/2.10.5\r\nEvent: Hangup\r\nUniqueid: 1.2\r\n");
        assert!(matches!(d.next_frame(), Ok(Some(AmiFrame::Banner(_)))));
        assert_eq!(d.next_frame(), Ok(None));
        assert!(d.has_partial(), "the half packet must not be mistaken for a clean end");
    }

    #[test]
    fn bare_newlines_and_stray_blank_lines_are_tolerated() {
        let (frames, err) = decode_all(&[b"\r\n\r\nEvent: A\nX: 1\n\nEvent: B\r\n\r\n"]);
        assert!(err.is_none());
        assert_eq!(frames.len(), 2, "{frames:?}");
    }

    #[test]
    fn hostile_sizes_are_refused() {
        let long = vec![b'x'; MAX_LINE + 10];
        assert_eq!(decode_all(&[b"Asterisk Call Manager/1.0\r\n", &long]).1, Some(AmiParseError::LineTooLong));
        let many = "K: v\r\n".repeat(MAX_FIELDS + 1);
        assert_eq!(decode_all(&[many.as_bytes()]).1, Some(AmiParseError::TooManyFields));
    }

    #[test]
    fn values_cannot_inject_a_second_action() {
        let wire = AmiPacket::action("Originate").with("Exten", "600\r\nAction: Command").to_wire();
        let (frames, _) = decode_all(&[b"Asterisk Call Manager/1.0\r\n", &wire]);
        assert_eq!(frames.len(), 2, "one banner and exactly one packet: {frames:?}");
    }
}
