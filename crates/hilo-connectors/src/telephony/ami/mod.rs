//! Asterisk Manager Interface: the codec (banner + CRLF packets), the mapping of call
//! events, and the session (login, keep-alive, ActionID correlation, Originate).

pub mod codec;
pub mod mapper;
pub mod session;

pub use codec::{AmiDecoder, AmiFrame, AmiPacket, AmiParseError};
pub use mapper::AmiCallMapper;
pub use session::{AmiAuth, AmiSettings, AmiSource, md5_key, validate_dial_number};
