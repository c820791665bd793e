//! The language Hilo writes desktop notifications in (SLA alerts, screen-pops): the
//! `ui.language` setting, which the app's language switch writes, else the OS locale,
//! else English. Read at the moment a notification is written, so switching the UI's
//! language changes the next notification without a restart.

pub use hilo_model::telephony::Language;
use rusqlite::Connection;

/// Setting key shared with the UI's language switch.
pub const LANGUAGE_SETTING: &str = "ui.language";

/// The OS locale as POSIX programs read it: the first non-empty of `LC_ALL`,
/// `LC_MESSAGES`, `LANG` (`es_ES.UTF-8` → Spanish); English otherwise.
pub fn from_env() -> Language {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| Language::parse(&v))
        .unwrap_or(Language::En)
}

/// The stored setting, else the OS locale. Blocking.
pub fn resolve(conn: &Connection) -> hilo_store::Result<Language> {
    let stored = hilo_store::settings::get(conn, LANGUAGE_SETTING)?;
    Ok(stored.as_ref().and_then(|v| v.as_str()).and_then(Language::parse).unwrap_or_else(from_env))
}

/// Stores the agent's choice. Blocking.
pub fn save(conn: &Connection, language: Language) -> hilo_store::Result<()> {
    let code = match language {
        Language::Es => "es",
        Language::En => "en",
    };
    hilo_store::settings::set(conn, LANGUAGE_SETTING, &serde_json::Value::from(code))
}

#[cfg(test)]
mod tests {
    use hilo_store::{CacheKey, Store};

    use super::*;

    #[test]
    fn the_stored_choice_wins_and_an_unknown_one_falls_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("cache.db"), CacheKey::from_bytes([7; 32])).expect("open store");
        let now = |store: &Store| store.read(resolve).expect("resolve");
        store.write(|tx| save(tx, Language::Es)).expect("save");
        assert_eq!(now(&store), Language::Es);
        store.write(|tx| save(tx, Language::En)).expect("save");
        assert_eq!(now(&store), Language::En);
        store.write(|tx| hilo_store::settings::set(tx, LANGUAGE_SETTING, &serde_json::json!("klingon"))).expect("set");
        assert_eq!(now(&store), from_env(), "an unknown code falls back to the OS locale");
    }
}
