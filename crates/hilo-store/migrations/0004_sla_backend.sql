-- SLA state as the helpdesk itself reports it (Chatwoot applied_sla + sla_events), kept
-- beside Hilo's own clocks: JSON of hilo_model::sla_backend::BackendSla; NULL = the
-- backend reports no SLA for the conversation.
ALTER TABLE conversations ADD COLUMN backend_sla TEXT;
