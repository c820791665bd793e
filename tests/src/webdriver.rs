//! WebKitWebDriver (with TAURI_WEBVIEW_AUTOMATION=true) and a minimal W3C WebDriver client.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::{free_port, wait_for};

pub struct WebDriver {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

pub struct Session<'a> {
    driver: &'a WebDriver,
    pub id: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into()
}

impl WebDriver {
    /// Starts WebKitWebDriver with `envs` (display, bus, keychain) for the app it launches.
    pub fn start(envs: &[(String, String)]) -> WebDriver {
        let port = free_port();
        let child = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(envs.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("WebKitWebDriver must be installed (apt-get install webkit2gtk-driver)");
        let driver = WebDriver { child, base: format!("http://127.0.0.1:{port}"), agent: agent() };
        wait_for("WebKitWebDriver /status", Duration::from_secs(20), || {
            driver.agent.get(format!("{}/status", driver.base)).call().ok().map(|_| ())
        });
        driver
    }

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(b),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        };
        let mut response = response.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let status = response.status();
        let value: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        assert!(status.is_success(), "WebDriver {method} {path} answered {status}: {value}");
        value.get("value").cloned().unwrap_or(Value::Null)
    }

    /// Launches `binary ARGS` as a WebDriver session (the real app window).
    pub fn launch(&self, binary: &Path, args: &[String]) -> Session<'_> {
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "webkitgtk:browserOptions": { "binary": binary.display().to_string(), "args": args }
            }}
        });
        let v = self.request("POST", "/session", Some(caps));
        let id = v.get("sessionId").and_then(Value::as_str).expect("sessionId").to_owned();
        Session { driver: self, id }
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/session/{}{}", self.id, rest)
    }

    /// Runs `script` in the page (`return …`), returning its JSON value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.driver.request("POST", &self.path("/execute/sync"), Some(json!({ "script": script, "args": args })))
    }

    /// Waits until `selector` matches at least one element; returns the first element's id.
    pub fn wait_element(&self, selector: &str, timeout: Duration) -> String {
        wait_for(&format!("an element matching {selector}"), timeout, || {
            let v = self.driver.request(
                "POST",
                &self.path("/elements"),
                Some(json!({ "using": "css selector", "value": selector })),
            );
            v.as_array()?.first()?.as_object()?.values().next()?.as_str().map(str::to_owned)
        })
    }

    pub fn click(&self, element: &str) {
        self.driver.request("POST", &self.path(&format!("/element/{element}/click")), Some(json!({})));
    }

    pub fn type_text(&self, element: &str, text: &str) {
        self.driver.request("POST", &self.path(&format!("/element/{element}/value")), Some(json!({ "text": text })));
    }

    pub fn text(&self, element: &str) -> String {
        self.driver
            .request("GET", &self.path(&format!("/element/{element}/text")), None)
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// A PNG of the webview, as WebDriver renders it.
    pub fn screenshot(&self, path: &Path) {
        use std::io::Write;
        let b64 = self.driver.request("GET", &self.path("/screenshot"), None);
        let bytes = decode_base64(b64.as_str().unwrap_or(""));
        let mut f = std::fs::File::create(path).expect("screenshot file");
        f.write_all(&bytes).expect("write screenshot");
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let url = format!("{}{}", self.driver.base, self.path(""));
        let _ = self.driver.agent.delete(&url).call();
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else { continue };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_base64() {
        assert_eq!(super::decode_base64("SGlsbw=="), b"Hilo");
    }
}
