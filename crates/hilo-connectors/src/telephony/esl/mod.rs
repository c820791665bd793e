//! FreeSWITCH Event Socket (inbound mode): the codec (LF headers + Content-Length
//! bodies), the mapping of channel events, and the session (auth, subscription,
//! keep-alive, `bgapi originate`).

pub mod codec;
pub mod mapper;
pub mod session;

pub use codec::{EslDecoder, EslEvent, EslMessage, EslParseError, url_decode};
pub use mapper::{SUBSCRIBED_EVENTS, dial_status_from_cause, map_event};
pub use session::{EslSettings, EslSource};
