//! Background services of the open workspace that live in the shell because they talk
//! to the window (events) as well as to hilo-core; they run beside the open workspace
//! and stop with it.

pub mod sync;
pub mod telephony;
