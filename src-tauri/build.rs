fn main() {
    // The window embeds the built UI: rebuild when `npm run build` rewrote it, so a test
    // never drives a binary that carries yesterday's interface.
    println!("cargo:rerun-if-changed=../ui/dist");
    // Declaring the app's commands makes each one a permission that a capability must
    // grant explicitly (see capabilities/main.json): nothing is callable by default.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "workspace_open",
        "workspace_load_demo",
        "workspace_reset_cache",
        "language_set",
        "inbox_list",
        "customer_timeline",
        "search_messages",
        "sla_overview",
        "sla_alerts",
        "sla_alert_acknowledge",
        "sla_alert_snooze",
        "sla_settings_get",
        "sla_settings_set",
        // Identity graph.
        "customer_context",
        "customer_merge",
        "customer_unmerge",
        "merge_suggestion_dismiss",
        // telephony
        "call_place",
        "calls_recent",
        "callbacks_list",
        "customer_create_for_number",
        "telephony_restart",
        // SLA settings editors and reports.
        "sla_policies_list",
        "sla_policies_save",
        "sla_policies_delete",
        "sla_policies_reorder",
        "sla_calendars_list",
        "sla_calendars_save",
        "sla_calendars_delete",
        "sla_holidays_add",
        "sla_holidays_remove",
        "sla_holidays_import",
        "sla_report",
        "sla_report_export",
        // Composer, accounts in Settings, sync in the app (issue 3).
        "snippets_search",
        "conversation_details",
        "reply_send",
        "outbox_retry",
        "outbox_edit",
        "outbox_discard",
        "conversation_set_status",
        "conversation_assign",
        "agent_profile_get",
        "agent_profile_set",
        "accounts_list",
        "account_save",
        "account_remove",
        "sync_states",
        "sync_now",
    ]);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri-build failed: {e:#}");
    }
}
