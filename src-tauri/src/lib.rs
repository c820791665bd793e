//! Hilo's desktop shell: parses the command line, holds the open workspace, registers
//! the commands (each a few lines over hilo-core) and opens the window.

mod commands;
// telephony
// Background services beside the workspace (sync in the app: issue 3).
mod services;
mod state;

use std::path::PathBuf;

use state::AppState;

/// What the command line asks of the app. Unknown arguments are ignored, because
/// launchers (WebDriver, desktop files) may add their own.
#[derive(Debug, Default)]
struct LaunchOptions {
    workspace: Option<PathBuf>,
    demo: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> LaunchOptions {
    let mut opts = LaunchOptions::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => opts.demo = true,
            "--workspace" => opts.workspace = args.next().map(PathBuf::from),
            other => {
                if let Some(dir) = other.strip_prefix("--workspace=") {
                    opts.workspace = Some(PathBuf::from(dir));
                }
            }
        }
    }
    opts
}

pub fn run() {
    let opts = parse_args(std::env::args().skip(1));
    let dir = match hilo_core::resolve_workspace_dir(opts.workspace.as_deref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("hilo-desktop: {e}");
            std::process::exit(2);
        }
    };
    let state = AppState::new(dir);
    let demo = opts.demo;
    let result = tauri::Builder::default()
        .manage(state)
        // telephony
        .manage(services::telephony::Telephony::default())
        .setup(move |app| {
            use tauri::Manager;
            // Open (and with --demo, fill) the workspace while the window paints.
            app.state::<AppState>().begin_startup(app.handle().clone(), demo);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspace::workspace_open,
            commands::workspace::workspace_load_demo,
            commands::workspace::workspace_reset_cache,
            commands::inbox::inbox_list,
            commands::timeline::customer_timeline,
            commands::search::search_messages,
            commands::sla::sla_overview,
            commands::sla::sla_alerts,
            commands::sla::sla_alert_acknowledge,
            commands::sla::sla_alert_snooze,
            commands::sla::sla_settings_get,
            commands::sla::sla_settings_set,
            commands::workspace::language_set,
            // Identity graph.
            commands::customers::customer_context,
            commands::customers::customer_merge,
            commands::customers::customer_unmerge,
            commands::customers::merge_suggestion_dismiss,
            // telephony
            commands::telephony::call_place,
            commands::telephony::calls_recent,
            commands::telephony::callbacks_list,
            commands::telephony::customer_create_for_number,
            commands::telephony::telephony_restart,
            // SLA settings editors and reports.
            commands::sla_config::sla_policies_list,
            commands::sla_config::sla_policies_save,
            commands::sla_config::sla_policies_delete,
            commands::sla_config::sla_policies_reorder,
            commands::sla_config::sla_calendars_list,
            commands::sla_config::sla_calendars_save,
            commands::sla_config::sla_calendars_delete,
            commands::sla_config::sla_holidays_add,
            commands::sla_config::sla_holidays_remove,
            commands::sla_config::sla_holidays_import,
            commands::sla_config::sla_report,
            commands::sla_config::sla_report_export,
            // Composer, accounts in Settings, sync in the app (issue 3).
            commands::composer::snippets_search,
            commands::composer::conversation_details,
            commands::composer::reply_send,
            commands::composer::outbox_retry,
            commands::composer::outbox_edit,
            commands::composer::outbox_discard,
            commands::composer::conversation_set_status,
            commands::composer::conversation_assign,
            commands::composer::agent_profile_get,
            commands::composer::agent_profile_set,
            commands::accounts::accounts_list,
            commands::accounts::account_save,
            commands::accounts::account_remove,
            commands::accounts::sync_states,
            commands::accounts::sync_now,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hilo-desktop: the window could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_workspace_and_demo_flags_and_ignores_the_rest() {
        let o = parse_args(["--automation", "--workspace", "/tmp/w", "--demo"].map(String::from).into_iter());
        assert_eq!(o.workspace.as_deref(), Some(std::path::Path::new("/tmp/w")));
        assert!(o.demo);
        let o = parse_args(["--workspace=/x"].map(String::from).into_iter());
        assert_eq!(o.workspace.as_deref(), Some(std::path::Path::new("/x")));
        assert!(!o.demo);
    }
}
