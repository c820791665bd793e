//! `AppCore`: the open workspace and the bodies of the commands that read it.
//! Everything that touches SQLite runs on blocking threads (see `hilo_store::Store`).

use std::path::Path;

use hilo_model::identity::parse_region;
use hilo_model::*;
use hilo_store::{Store, inbox, search, settings, stats, timeline};

use crate::demo::{DemoOptions, DemoSummary};
use crate::error::{CoreError, Result};
use crate::secrets::SecretStore;
use crate::workspace::Workspace;

/// Setting key for the region used to read national phone numbers (ISO 3166, e.g. "ES").
pub const DEFAULT_REGION_SETTING: &str = "phone.defaultRegion";
pub const DEFAULT_REGION_ENV: &str = "HILO_DEFAULT_REGION";

#[derive(Debug, Clone)]
pub struct AppCore {
    workspace: Workspace,
    store: Store,
}

impl AppCore {
    /// Opens the workspace at `dir`: reads or makes its id, gets the cache key from the
    /// keychain (making one on first use) and opens the encrypted cache. Blocking.
    pub fn open(dir: &Path, secrets: &dyn SecretStore) -> Result<AppCore> {
        let workspace = Workspace::load_or_create(dir)?;
        let store = workspace.open_store(secrets)?;
        Ok(AppCore { workspace, store })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub async fn info(&self) -> Result<WorkspaceInfo> {
        let counts = self.store.read_async(stats::counts).await?;
        Ok(WorkspaceInfo {
            path: self.workspace.dir.display().to_string(),
            customers: counts.customers,
            conversations: counts.conversations,
            messages: counts.messages,
            calls: counts.calls,
        })
    }

    pub async fn inbox(&self, query: InboxQuery) -> Result<InboxPage> {
        Ok(self.store.read_async(move |c| inbox::list(c, &query)).await?)
    }

    pub async fn timeline(&self, customer_id: i64, cursor: Option<String>, limit: Option<u32>) -> Result<TimelinePage> {
        Ok(self
            .store
            .read_async(move |c| timeline::customer_timeline(c, customer_id, cursor.as_deref(), limit))
            .await?)
    }

    /// The whole timeline (every page), newest first.
    pub async fn full_timeline(&self, customer_id: i64) -> Result<TimelinePage> {
        let mut page = self.timeline(customer_id, None, Some(timeline::MAX_LIMIT)).await?;
        while let Some(cursor) = page.next_cursor.take() {
            let next = self.timeline(customer_id, Some(cursor), Some(timeline::MAX_LIMIT)).await?;
            page.items.extend(next.items);
            page.next_cursor = next.next_cursor;
        }
        Ok(page)
    }

    pub async fn search(&self, query: String, limit: Option<u32>) -> Result<Vec<SearchHit>> {
        Ok(self.store.read_async(move |c| search::search(c, &query, limit)).await?)
    }

    /// The region national phone numbers are read in: the workspace setting, else
    /// `$HILO_DEFAULT_REGION`, else the region of the OS locale, else none (E.164 only).
    pub async fn default_region(&self) -> Result<Option<phonenumber::country::Id>> {
        let stored = self.store.read_async(|c| settings::get(c, DEFAULT_REGION_SETTING)).await?;
        let from_setting = stored.as_ref().and_then(|v| v.as_str()).and_then(parse_region);
        Ok(from_setting
            .or_else(|| std::env::var(DEFAULT_REGION_ENV).ok().and_then(|r| parse_region(&r)))
            .or_else(locale_region))
    }

    /// Finds a customer by id (`42`, `#42`), email, phone number in any common format,
    /// or handle; see [`AppCore::find_customer`] (identity graph).
    pub async fn resolve_customer(&self, ident: &str) -> Result<i64> {
        self.find_customer(ident).await
    }

    /// Fills an empty workspace with the demo data set.
    pub async fn load_demo(&self, options: DemoOptions) -> Result<DemoSummary> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || crate::demo::generate(&store, &options))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
    }
}

/// `es_ES.UTF-8` → ES, from the usual POSIX locale variables.
fn locale_region() -> Option<phonenumber::country::Id> {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| v.split(['.', '@']).next().and_then(|l| l.split('_').nth(1)).map(str::to_owned))
        .and_then(|r| parse_region(&r))
}

impl AppCore {
    /// Which conversations raise SLA alerts, at which levels and thresholds.
    pub async fn sla_settings(&self) -> Result<hilo_model::sla::SlaAlertSettings> {
        Ok(self.store.read_async(crate::sla::config::load_alert_settings).await?)
    }

    pub async fn set_sla_settings(
        &self,
        alert_settings: hilo_model::sla::SlaAlertSettings,
    ) -> Result<hilo_model::sla::SlaAlertSettings> {
        let value = serde_json::to_value(&alert_settings).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        self.store.write_async(move |tx| settings::set(tx, crate::sla::ALERT_SETTINGS_KEY, &value)).await?;
        self.sla_settings().await
    }

    /// Stores the language notifications are written in (see [`crate::language`]).
    pub async fn set_language(&self, language: crate::language::Language) -> Result<()> {
        self.store.write_async(move |tx| crate::language::save(tx, language)).await?;
        Ok(())
    }
}
