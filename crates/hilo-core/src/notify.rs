//! Desktop notifications behind `Notifier`: notify-rust in the app and the CLI's
//! headless modes, a recorder in tests. Titles and bodies arrive already localized.

use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Urgency {
    Normal,
    Critical,
}

/// What the agent sees. `target` names what clicking it should open (a conversation,
/// a customer), where the platform supports notification actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesktopNotification {
    pub title: String,
    pub body: String,
    pub urgency: Urgency,
    pub target: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the desktop notification could not be shown: {0}")]
pub struct NotifyError(pub String);

pub trait Notifier: Send + Sync {
    /// Hands the notification to the platform. Blocking; call from a blocking thread.
    fn notify(&self, notification: &DesktopNotification) -> Result<(), NotifyError>;
}

/// The platform's notification centre through notify-rust (freedesktop D-Bus on Linux,
/// NSUserNotification on macOS, WinRT toasts on Windows).
#[derive(Debug, Clone)]
pub struct DesktopNotifier {
    app_name: String,
}

impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier { app_name: "Hilo".to_owned() }
    }
}

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &DesktopNotification) -> Result<(), NotifyError> {
        let mut notification = notify_rust::Notification::new();
        notification.appname(&self.app_name).summary(&n.title).body(&n.body);
        // Urgency, the freedesktop category and hints exist only on the D-Bus platforms.
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            notification.urgency(match n.urgency {
                Urgency::Normal => notify_rust::Urgency::Normal,
                Urgency::Critical => notify_rust::Urgency::Critical,
            });
            if let Some(target) = &n.target {
                notification.hint(notify_rust::Hint::Custom("x-hilo-target".into(), target.clone()));
            }
        }
        notification.show().map(|_| ()).map_err(|e| NotifyError(e.to_string()))
    }
}

/// Keeps every notification in memory, for tests and for the in-app alert list.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    seen: Mutex<Vec<DesktopNotification>>,
}

impl RecordingNotifier {
    pub fn taken(&self) -> Vec<DesktopNotification> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, n: &DesktopNotification) -> Result<(), NotifyError> {
        self.seen.lock().map_err(|e| NotifyError(e.to_string()))?.push(n.clone());
        Ok(())
    }
}
