//! Desktop notifications behind `Notifier`: notify-rust in the app and the CLI's
//! headless modes, a recorder in tests. Titles and bodies arrive already localized.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Called with a notification's `target` when the agent clicks it (the platform's
/// "default" action). Runs on the thread that waited for the click.
pub type OpenHandler = Arc<dyn Fn(&str) + Send + Sync>;

/// Notifications whose click is being waited for at once; past this, new ones are shown
/// without a click action rather than piling up threads (each waits until the
/// notification is clicked or closed, and critical ones may never expire).
pub const MAX_WAITING_FOR_CLICK: usize = 64;

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
#[derive(Clone)]
pub struct DesktopNotifier {
    app_name: String,
    on_open: Option<OpenHandler>,
    waiting: Arc<AtomicUsize>,
}

impl std::fmt::Debug for DesktopNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesktopNotifier")
            .field("app_name", &self.app_name)
            .field("opens_on_click", &self.on_open.is_some())
            .finish()
    }
}

impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier { app_name: "Hilo".to_owned(), on_open: None, waiting: Arc::default() }
    }
}

impl DesktopNotifier {
    /// Clicking a notification that has a `target` calls `on_open` with it, where the
    /// platform supports notification actions (the freedesktop servers on Linux/BSD).
    pub fn opening_with(mut self, on_open: OpenHandler) -> DesktopNotifier {
        self.on_open = Some(on_open);
        self
    }

    /// How many notifications are waiting for a click now.
    pub fn waiting_for_click(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

/// Decrements the waiting count when the waiting thread ends, however it ends.
struct WaitingSlot(Arc<AtomicUsize>);

impl Drop for WaitingSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
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
            let clickable = n.target.clone().zip(self.on_open.clone()).filter(|_| {
                self.waiting
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| (w < MAX_WAITING_FOR_CLICK).then_some(w + 1))
                    .is_ok()
            });
            let Some((target, on_open)) = clickable else {
                return notification.show().map(|_| ()).map_err(|e| NotifyError(e.to_string()));
            };
            let slot = WaitingSlot(self.waiting.clone());
            notification.action("default", open_label());
            let handle = notification.show().map_err(|e| NotifyError(e.to_string()))?;
            let spawned = std::thread::Builder::new().name("hilo-notification-click".into()).spawn(move || {
                let _slot = slot;
                handle.wait_for_action(|action| {
                    if action == "default" {
                        on_open(&target);
                    }
                });
            });
            // Without a thread the notification still shows; only its click does nothing.
            drop(spawned);
            Ok(())
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            notification.show().map(|_| ()).map_err(|e| NotifyError(e.to_string()))
        }
    }
}

/// The click action's label, in the OS locale's language (servers may show it in a menu).
#[cfg(all(unix, not(target_os = "macos")))]
fn open_label() -> &'static str {
    match crate::language::from_env() {
        crate::sla::Language::Es => "Abrir en Hilo",
        crate::sla::Language::En => "Open in Hilo",
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
