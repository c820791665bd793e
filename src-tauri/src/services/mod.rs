//! Background services that run beside the open workspace and stop with it.

pub mod sync;
