//! The bodies of the desktop's telephony commands that read or write the cache: recent
//! calls, callback items, and the screen-pop's "create customer" for an unknown caller.
//! (Placing a call goes through the running `TelephonyHandle`.)

use hilo_model::CustomerSummary;
use hilo_model::telephony::{CallView, CallbackItem};
use hilo_model::time::now_millis;
use hilo_store::customers;

use super::calls;
use crate::app::AppCore;
use crate::error::{CoreError, Result};

/// The most calls `recent_calls` returns at once.
pub const RECENT_CALLS_MAX: u32 = 500;

impl AppCore {
    /// Stored calls, newest first (at most `RECENT_CALLS_MAX`; default 50).
    pub async fn recent_calls(&self, limit: Option<u32>) -> Result<Vec<CallView>> {
        let limit = limit.unwrap_or(50).clamp(1, RECENT_CALLS_MAX);
        Ok(self.store().read_async(move |c| calls::list_calls(c, Some(limit))).await?)
    }

    /// Missed calls from known customers nobody has returned, one per customer, newest first.
    pub async fn callbacks(&self) -> Result<Vec<CallbackItem>> {
        Ok(self.store().read_async(calls::callback_items).await?)
    }

    /// An unknown caller becomes a customer with this phone identity (national numbers
    /// read in the workspace region), and their earlier calls are linked to them. When
    /// the number already belongs to a customer, that customer is returned unchanged.
    pub async fn create_customer_for_number(&self, number: String, name: String) -> Result<CustomerSummary> {
        if name.trim().is_empty() {
            return Err(CoreError::InvalidInput("the new customer needs a name".into()));
        }
        if name.chars().count() > 200 {
            return Err(CoreError::InvalidInput("a customer name has at most 200 characters".into()));
        }
        let region = self.default_region().await?;
        Ok(self
            .store()
            .write_async(move |tx| {
                let id = calls::create_customer_for_number(tx, &name, &number, region, now_millis())?;
                customers::summary(tx, id)
            })
            .await?)
    }
}
