//! The blocking HTTP client helpdesk connectors share: timeouts on every call, status
//! codes mapped to `SourceError`, `Retry-After` in both of its forms, and a body cap.
//! Callers run it on Tokio's blocking pool; the access token never reaches an error.

use std::time::Duration;

use super::SourceError;

/// Bodies above this are refused rather than buffered (a page is a few hundred KB).
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// A server asking for more than this is capped, so a bad header cannot park an account for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Timeouts for one account's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    pub connect: Duration,
    /// The whole call: connect, send, wait, read.
    pub request: Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        HttpTimeouts { connect: Duration::from_secs(10), request: Duration::from_secs(30) }
    }
}

/// A 2xx answer.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's clock (`Date` header), Unix seconds.
    pub server_time: Option<i64>,
}

pub struct HttpClient {
    agent: ureq::Agent,
    base: String,
    header: &'static str,
    token: String,
    account: String,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of every debug print and log line.
        f.debug_struct("HttpClient").field("base", &self.base).field("account", &self.account).finish_non_exhaustive()
    }
}

pub enum Method {
    Get,
    Post,
}

impl HttpClient {
    /// `header` names the auth header (`api_access_token` for Chatwoot).
    pub fn new(account: &str, base: &str, header: &'static str, token: String, timeouts: HttpTimeouts) -> HttpClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeouts.request))
            .timeout_connect(Some(timeouts.connect))
            .http_status_as_error(false)
            .user_agent(concat!("Hilo/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: config.into(),
            base: base.trim_end_matches('/').to_owned(),
            header,
            token,
            account: account.to_owned(),
        }
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// Calls `path` (below the base URL) and maps every non-2xx status to a `SourceError`;
    /// `what` names the resource in errors ("conversation 42").
    pub fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        what: &str,
    ) -> Result<HttpReply, SourceError> {
        let url = format!("{}{}", self.base, path);
        let result = match method {
            Method::Get => {
                let mut req =
                    self.agent.get(&url).header(self.header, &self.token).header("Accept", "application/json");
                for (k, v) in query {
                    req = req.query(*k, v);
                }
                req.call()
            }
            Method::Post => {
                let mut req =
                    self.agent.post(&url).header(self.header, &self.token).header("Accept", "application/json");
                for (k, v) in query {
                    req = req.query(*k, v);
                }
                let payload = body.map(|b| b.to_string()).unwrap_or_else(|| "{}".to_owned());
                req.header("Content-Type", "application/json").send(payload.as_bytes())
            }
        };
        let mut response = result.map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let server_time = header("date").and_then(|d| parse_http_date(&d));
        let now = server_time.unwrap_or_else(unix_now);
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, now));
        let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_vec().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => SourceError::InvalidResponse {
                account: self.account.clone(),
                what: what.to_owned(),
                detail: format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            },
            other => self.transport(other),
        })?;
        let account = self.account.clone();
        match status {
            200..=299 => Ok(HttpReply { status, body, server_time }),
            401 | 403 => Err(SourceError::Unauthorized { account, status }),
            404 => Err(SourceError::NotFound { account, what: what.to_owned() }),
            429 => Err(SourceError::RateLimited { account, retry_after }),
            408 | 500..=599 => Err(SourceError::ServerError { account, status, retry_after }),
            _ => Err(SourceError::Rejected { account, what: what.to_owned(), status, detail: snippet(&body) }),
        }
    }

    fn transport(&self, e: ureq::Error) -> SourceError {
        let detail = match &e {
            ureq::Error::Timeout(t) => format!("timed out ({t})"),
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::ConnectionFailed => "connection failed".to_owned(),
            ureq::Error::Io(io) => format!("{}", io.kind()).replace('_', " "),
            ureq::Error::BadUri(u) => {
                return SourceError::Config { account: self.account.clone(), detail: format!("bad server URL: {u}") };
            }
            other => other.to_string(),
        };
        SourceError::Offline { account: self.account.clone(), detail }
    }
}

/// The first line of an error body, short and printable, for `Rejected` messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    one_line.trim().to_owned()
}

pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in
/// the past means "now"; anything unreadable is ignored; the wait is capped.
pub fn parse_retry_after(value: &str, now_unix: i64) -> Option<Duration> {
    let v = value.trim();
    let secs = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        let at = parse_http_date(v)?;
        u64::try_from(at.saturating_sub(now_unix)).unwrap_or(0)
    };
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// An HTTP-date in any of the three forms RFC 9110 requires recipients to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
/// and asctime (`Sun Nov  6 08:49:37 1994`). Returns Unix seconds.
pub fn parse_http_date(value: &str) -> Option<i64> {
    let v = value.trim();
    let month = |s: &str| MONTHS.iter().position(|m| s.eq_ignore_ascii_case(m)).map(|i| i as i8 + 1);
    let (year, mon, day, time) = if let Some((_, rest)) = v.split_once(", ") {
        let parts: Vec<&str> = rest.split_whitespace().collect();
        match parts.as_slice() {
            // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
            [d, m, y, t, "GMT"] => (y.parse::<i16>().ok()?, month(m)?, d.parse::<i8>().ok()?, *t),
            // RFC 850: 06-Nov-94 08:49:37 GMT
            [dmy, t, "GMT"] => {
                let mut it = dmy.split('-');
                let d = it.next()?.parse::<i8>().ok()?;
                let m = month(it.next()?)?;
                let yy = it.next()?.parse::<i16>().ok()?;
                // Two-digit years: RFC 9110 says to read ones more than 50 years ahead as past.
                let y = if yy < 100 { if yy < 70 { 2000 + yy } else { 1900 + yy } } else { yy };
                (y, m, d, *t)
            }
            _ => return None,
        }
    } else {
        // asctime: Sun Nov  6 08:49:37 1994
        let parts: Vec<&str> = v.split_whitespace().collect();
        match parts.as_slice() {
            [_, m, d, t, y] => (y.parse::<i16>().ok()?, month(m)?, d.parse::<i8>().ok()?, *t),
            _ => return None,
        }
    };
    let mut hms = time.split(':').map(|p| p.parse::<i8>().ok());
    let (h, mi, s) = (hms.next()??, hms.next()??, hms.next()??);
    let dt = jiff::civil::DateTime::new(year, mon, day, h, mi, s.min(59), 0).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_6_1994: i64 = 784_111_777;

    #[test]
    fn http_dates_in_all_three_forms() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(NOV_6_1994));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(NOV_6_1994));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(NOV_6_1994));
        for bad in ["", "yesterday", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 06 Nov"] {
            assert_eq!(parse_http_date(bad), None, "{bad:?} is not an HTTP-date");
        }
    }

    #[test]
    fn retry_after_seconds_dates_and_caps() {
        assert_eq!(parse_retry_after("120", 0), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", 0), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", NOV_6_1994), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994 + 100),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
        assert_eq!(parse_retry_after("99999999999999999999999", 0), Some(MAX_RETRY_AFTER), "absurd waits are capped");
        assert_eq!(parse_retry_after("-5", 0), None);
        assert_eq!(parse_retry_after("soon", 0), None);
    }
}
