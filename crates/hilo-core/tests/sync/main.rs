//! Helpdesk sync and outbox against the Chatwoot simulator (tests/src/chatwoot_sim.rs):
//! kills, faults, hostile content and real response shapes, counted.

mod kills;
mod outbox;
mod shapes;
mod support;
