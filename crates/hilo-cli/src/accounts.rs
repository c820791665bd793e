//! `hilo accounts add | list | remove`: the accounts Hilo talks to. A secret is only
//! ever read from standard input and goes to the keychain; settings go to the cache.
//! Each kind of account is one `AddAccount` variant and one match arm.

use std::io::Read;
use std::sync::Arc;

use clap::{Args, Subcommand};
use hilo_core::telephony::{
    AccountInfo, AmiAccount, CtiAccount, EslAccount, TelephonyAccount, add_telephony_account, list_accounts,
    remove_account,
};
use hilo_core::{AppCore, CoreError, KeyringSecretStore, SecretStore};
use serde::Serialize;

#[derive(Args)]
pub struct AccountsArgs {
    #[command(subcommand)]
    action: AccountsAction,
}

#[derive(Subcommand)]
enum AccountsAction {
    /// Add an account; its secret is read from standard input and kept in the keychain.
    Add {
        #[command(subcommand)]
        kind: AddAccount,
    },
    /// Every account, without secrets (only whether the keychain holds one).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account (by name or id), its keychain secret, and its calls.
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AddAccount {
    /// Asterisk Manager Interface (TCP, usually port 5038).
    Ami {
        #[arg(long)]
        name: String,
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 5038)]
        port: u16,
        #[arg(long)]
        username: String,
        /// Read the AMI secret from standard input (it is never taken as an argument).
        #[arg(long, required = true)]
        secret_stdin: bool,
        /// The agent's phone, e.g. PJSIP/1986: its calls pop up, click-to-call rings it.
        #[arg(long)]
        endpoint: String,
        /// Dialplan context click-to-call dials the customer from.
        #[arg(long, default_value = "from-internal")]
        context: String,
        /// Dial this instead of the `+` of E.164 numbers (e.g. 00).
        #[arg(long)]
        dial_prefix: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// FreeSWITCH event socket (TCP, usually port 8021).
    Esl {
        #[arg(long)]
        name: String,
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 8021)]
        port: u16,
        /// Read the event socket password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The agent's phone as a dial string, e.g. user/1000.
        #[arg(long)]
        endpoint: String,
        /// Where click-to-call dials the customer.
        #[arg(long, default_value = "XML default")]
        dialplan: String,
        #[arg(long)]
        dial_prefix: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A Zammad-compatible CTI webhook listener on this machine (loopback only).
    CtiWebhook {
        #[arg(long)]
        name: String,
        /// 127.0.0.1:PORT; the PBX posts to http://127.0.0.1:PORT/api/v1/cti/TOKEN.
        #[arg(long)]
        listen: String,
        /// Read the URL token from standard input.
        #[arg(long, required = true)]
        token_stdin: bool,
        /// The agent's extension: calls to it pop up.
        #[arg(long)]
        extension: String,
        /// A caller the PBX is told to reject (repeatable).
        #[arg(long = "block", value_name = "NUMBER")]
        blocked: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// A Chatwoot account (agent API token); see `hilo sync`.
    Chatwoot(crate::sync::AddChatwootArgs),
    /// A shared support mailbox (IMAP to read, SMTP to answer); see `hilo sync`.
    Email(crate::sync::AddEmailArgs),
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::default())
}

/// The secret piped in, without the line break a shell or `echo` adds.
fn read_secret(what: &str) -> Result<String, CoreError> {
    let mut raw = String::new();
    std::io::stdin()
        .read_to_string(&mut raw)
        .map_err(|e| CoreError::io(format!("reading the {what} from stdin"), e))?;
    let secret = raw.trim_end_matches(['\r', '\n']).to_owned();
    if secret.is_empty() {
        return Err(CoreError::InvalidInput(format!("no {what} on standard input (pipe it in, e.g. `… < file`)")));
    }
    Ok(secret)
}

pub async fn run(core: &AppCore, args: AccountsArgs) -> Result<(), CoreError> {
    match args.action {
        AccountsAction::Add { kind } => add(core, kind).await,
        AccountsAction::List { json } => list(core, json).await,
        AccountsAction::Remove { name, json } => {
            let removed = remove_account(core, secrets(), &name).await?;
            if json {
                return crate::print_json(&removed);
            }
            println!(
                "Removed account {:?} ({}) and its keychain secret; {} stored calls went with it.",
                removed.name, removed.kind, removed.calls_removed
            );
            Ok(())
        }
    }
}

async fn add(core: &AppCore, kind: AddAccount) -> Result<(), CoreError> {
    let (name, account, secret, json) = match kind {
        AddAccount::Ami { name, host, port, username, secret_stdin: _, endpoint, context, dial_prefix, json } => {
            let account = TelephonyAccount::Ami(AmiAccount {
                host,
                port,
                username,
                endpoint,
                context,
                event_mask: "call".into(),
                keepalive_secs: 20,
                originate_timeout_secs: 30,
                dial_prefix,
            });
            (name, account, read_secret("AMI secret")?, json)
        }
        AddAccount::Esl { name, host, port, password_stdin: _, endpoint, dialplan, dial_prefix, json } => {
            let account = TelephonyAccount::Esl(EslAccount {
                host,
                port,
                endpoint,
                dialplan,
                keepalive_secs: 20,
                originate_timeout_secs: 30,
                dial_prefix,
            });
            (name, account, read_secret("event socket password")?, json)
        }
        AddAccount::CtiWebhook { name, listen, token_stdin: _, extension, blocked, json } => {
            let account = TelephonyAccount::CtiWebhook(CtiAccount { listen, extension, blocked_numbers: blocked });
            (name, account, read_secret("CTI token")?, json)
        }
        AddAccount::Chatwoot(args) => return crate::sync::add_chatwoot(core, args).await,
        AddAccount::Email(args) => return crate::sync::add_email(core, args).await,
    };
    let added = add_telephony_account(core, secrets(), &name, account, secret).await?;
    if json {
        return crate::print_json(&added);
    }
    println!(
        "Added {} account {:?} (#{}); its secret is in the keychain. `hilo telephony listen` follows its calls.",
        added.kind, added.name, added.id
    );
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    #[serde(flatten)]
    account: AccountInfo,
    /// Helpdesk accounts: where their sync stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    sync: Option<hilo_core::sync::SyncStatus>,
}

async fn list(core: &AppCore, json: bool) -> Result<(), CoreError> {
    let accounts = list_accounts(core, secrets()).await?;
    let states = crate::sync::sync_states(core).await?;
    let listed: Vec<Listed> = accounts
        .into_iter()
        .map(|account| {
            let sync = states.iter().find(|s| s.account_id == account.id).cloned();
            Listed { account, sync }
        })
        .collect();
    if json {
        return crate::print_json(&listed);
    }
    for l in &listed {
        let a = &l.account;
        let secret = if a.demo {
            "demo"
        } else if a.has_secret {
            "secret in keychain"
        } else {
            "NO SECRET in keychain"
        };
        println!("{:>4}  {:<24} {:<12} {}  ({secret})", a.id, a.name, a.kind, a.config);
    }
    eprintln!("{} accounts", listed.len());
    Ok(())
}
