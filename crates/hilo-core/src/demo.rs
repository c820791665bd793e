//! The demo workspace (being written).

use hilo_store::Store;

use crate::error::{CoreError, Result};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub customers: usize,
    pub seed: u64,
    /// The instant the demo's clocks are placed relative to (ms since epoch).
    pub now: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoSummary {
    pub customers: i64,
    pub conversations: i64,
    pub messages: i64,
    pub calls: i64,
    /// Claudio Pérez's customer id, the story every part of Hilo must tell.
    pub claudio_customer_id: i64,
}

pub fn generate(_store: &Store, _options: &DemoOptions) -> Result<DemoSummary> {
    Err(CoreError::Internal("demo generator pending".into()))
}
