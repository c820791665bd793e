//! Helpdesk sync and outbox against the Chatwoot simulator (tests/src/chatwoot_sim.rs):
//! kills, faults, hostile content and real response shapes, counted.

// Chatwoot applied_sla round trip (SLA feature).
mod backend_sla;
mod kills;
mod outbox;
mod shapes;
mod support;
