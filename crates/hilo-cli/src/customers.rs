//! `hilo customers` (list, show, merge, unmerge, suggestions, dismiss) and `hilo export`:
//! the identity graph from the command line. IDENT is a customer id (`42`, `#42`), an
//! email, a phone number in any common format, a social handle or a helpdesk contact id.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use hilo_core::customers::timeline_csv;
use hilo_core::{AppCore, CoreError};
use hilo_model::time::{now_millis, to_rfc3339};
use hilo_model::{CustomerSummary, MergeEvidence, MergeEvidenceKind, MergeRecord};
use serde_json::json;

use crate::{print_json, truncate};

#[derive(Args)]
pub struct CustomersArgs {
    #[command(subcommand)]
    action: Option<CustomersAction>,
    /// Print JSON (camelCase) instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum CustomersAction {
    /// A customer: identities, conversations, recent calls, merge suggestions, merges.
    Show { ident: String },
    /// Merge customer B into customer A (A stays); prints the merge id.
    Merge {
        #[arg(value_name = "A")]
        target: String,
        #[arg(value_name = "B")]
        source: String,
    },
    /// Undo a merge exactly (refused while a later merge depends on it).
    Unmerge { merge_id: i64 },
    /// Every merge suggestion in the workspace, with its evidence.
    Suggestions,
    /// Never suggest merging these two customers again.
    Dismiss { a: String, b: String },
}

#[derive(Args)]
pub struct ExportArgs {
    /// The customer whose whole timeline to export (IDENT).
    #[arg(long, value_name = "IDENT")]
    customer: String,
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    format: ExportFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

fn identities_line(c: &CustomerSummary) -> String {
    c.identities.iter().map(|i| format!("{} {}", i.kind, i.display)).collect::<Vec<_>>().join(", ")
}

fn evidence_text(e: &MergeEvidence) -> String {
    match e.kind {
        MergeEvidenceKind::SamePhone => format!("same phone {} ({} / {})", e.value, e.here, e.there),
        MergeEvidenceKind::SameEmail => format!("same email {} ({} / {})", e.value, e.here, e.there),
        MergeEvidenceKind::SameNameAndDomain => format!("same name and domain {} ({} / {})", e.value, e.here, e.there),
    }
}

fn merge_line(m: &MergeRecord) -> String {
    let state = match m.unmerged_at {
        Some(at) => format!("undone {} by {}", to_rfc3339(at), m.unmerged_by.as_deref().unwrap_or("-")),
        None => "standing".to_owned(),
    };
    format!(
        "merge {}: #{} {} into #{} on {} by {} ({} identities, {} conversations, {} calls, {} events), {state}",
        m.id,
        m.source_id,
        m.source_name,
        m.target_id,
        to_rfc3339(m.merged_at),
        m.merged_by.as_deref().unwrap_or("-"),
        m.moved.identities,
        m.moved.conversations,
        m.moved.calls,
        m.moved.events
    )
}

pub async fn run(core: &AppCore, args: CustomersArgs) -> Result<(), CoreError> {
    let json = args.json;
    match args.action {
        None => {
            let list = core.customers().await?;
            if json {
                return print_json(&list);
            }
            for c in &list {
                println!(
                    "{:>6}  {:<26} {:>3} open / {:>3} conv  {:>3} calls  {}",
                    format!("#{}", c.customer.id),
                    truncate(&c.customer.name, 26),
                    c.open_conversations,
                    c.conversations,
                    c.calls,
                    truncate(&identities_line(&c.customer), 80)
                );
            }
            eprintln!("{} customers", list.len());
        }
        Some(CustomersAction::Show { ident }) => {
            let id = core.find_customer(&ident).await?;
            let context = core.customer_context(id).await?;
            let history = core.merge_history(id).await?;
            if json {
                let mut value = serde_json::to_value(&context).map_err(|e| CoreError::Internal(e.to_string()))?;
                value["mergeHistory"] =
                    serde_json::to_value(&history).map_err(|e| CoreError::Internal(e.to_string()))?;
                return print_json(&value);
            }
            let c = &context.customer;
            println!("{} (#{}), language {}", c.name, c.id, c.language.as_deref().unwrap_or("unknown"));
            for i in &c.identities {
                println!("  {:<15} {}", i.kind.as_str(), i.display);
            }
            println!("Conversations:");
            for v in &context.conversations {
                println!(
                    "  {:>6}  {:<9} {:<8} {}  {}",
                    v.id,
                    v.channel,
                    v.status,
                    to_rfc3339(v.last_activity_at),
                    truncate(v.subject.as_deref().unwrap_or(""), 60)
                );
            }
            println!("Recent calls:");
            for k in &context.recent_calls {
                println!(
                    "  {}  {:<8} {:<8} {}",
                    to_rfc3339(k.at),
                    k.direction,
                    k.outcome,
                    k.from.as_deref().unwrap_or("?")
                );
            }
            for s in &context.suggestions {
                println!("Possible duplicate: #{} {} ({})", s.other.id, s.other.name, identities_line(&s.other));
                for e in &s.evidence {
                    println!("  - {}", evidence_text(e));
                }
            }
            for m in &history {
                println!("{}", merge_line(m));
            }
        }
        Some(CustomersAction::Merge { target, source }) => {
            let target = core.find_customer(&target).await?;
            let source = core.find_customer(&source).await?;
            let outcome = core.merge_customers(target, source, now_millis()).await?;
            if json {
                return print_json(&outcome);
            }
            println!("{}", outcome.merge_id);
            let m = outcome.moved;
            eprintln!(
                "Merged customer #{source} into #{target}: {} identities, {} conversations, {} calls, {} events moved. \
                 Undo with `hilo customers unmerge {}`.",
                m.identities, m.conversations, m.calls, m.events, outcome.merge_id
            );
        }
        Some(CustomersAction::Unmerge { merge_id }) => {
            let outcome = core.unmerge_customers(merge_id, now_millis()).await?;
            if json {
                return print_json(&outcome);
            }
            let r = outcome.returned;
            println!(
                "Undid merge {merge_id}: customer #{} is back with {} identities, {} conversations, {} calls, {} events.",
                outcome.source_id, r.identities, r.conversations, r.calls, r.events
            );
        }
        Some(CustomersAction::Suggestions) => {
            let pairs = core.merge_suggestions().await?;
            if json {
                let list: Vec<_> = pairs
                    .iter()
                    .map(|(a, s)| json!({"customer": a, "other": s.other, "evidence": s.evidence}))
                    .collect();
                return print_json(&list);
            }
            for (a, s) in &pairs {
                println!("#{} {}  ~  #{} {}", a.id, a.name, s.other.id, s.other.name);
                for e in &s.evidence {
                    println!("  - {}", evidence_text(e));
                }
            }
            eprintln!("{} suggestions", pairs.len());
        }
        Some(CustomersAction::Dismiss { a, b }) => {
            let a = core.find_customer(&a).await?;
            let b = core.find_customer(&b).await?;
            core.dismiss_merge_suggestion(a, b, now_millis()).await?;
            if json {
                return print_json(&json!({"dismissed": [a.min(b), a.max(b)]}));
            }
            println!("Customers #{a} and #{b} will not be suggested for merging again.");
        }
    }
    Ok(())
}

/// The complete timeline (every page) of one customer, for offline review and
/// data-subject requests.
pub async fn export(core: &AppCore, args: ExportArgs) -> Result<(), CoreError> {
    let id = core.find_customer(&args.customer).await?;
    let page = core.full_timeline(id).await?;
    let out = match args.format {
        ExportFormat::Json => {
            serde_json::to_string_pretty(&page).map_err(|e| CoreError::Internal(e.to_string()))? + "\n"
        }
        ExportFormat::Csv => timeline_csv(&page.items),
    };
    std::io::stdout().lock().write_all(out.as_bytes()).map_err(|e| CoreError::io("writing the export", e))?;
    eprintln!("{} items of {} (#{})", page.items.len(), page.customer.name, page.customer.id);
    Ok(())
}
