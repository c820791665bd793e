//! The Settings editors' bodies against a real workspace: policies, calendars and
//! holidays round-trip; invalid input is refused with `invalidInput` and writes nothing;
//! an iCal feed imports with a count of what was added and skipped; and a policy change
//! re-evaluates the running scheduler's clocks at once.

use hilo_core::sla::ManualClock;
use hilo_core::{AppCore, MemorySecretStore};
use hilo_model::sla_config::{SlaCalendarInput, SlaPolicyInput, SlaShift, SlaWeeklyHours};
use hilo_model::{Channel, Direction, ErrorCode, MessageKind, Priority};

use crate::*;

struct Workspace {
    _dir: tempfile::TempDir,
    core: AppCore,
}

async fn workspace() -> Workspace {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_owned();
    let core = tokio::task::spawn_blocking(move || AppCore::open(&path, &MemorySecretStore::default()))
        .await
        .expect("join")
        .expect("open the workspace");
    Workspace { _dir: dir, core }
}

fn shift(start: &str, end: &str) -> SlaShift {
    SlaShift { start: start.into(), end: end.into() }
}

fn madrid_calendar() -> SlaCalendarInput {
    let split = vec![shift("09:00", "14:00"), shift("15:00", "19:00")];
    SlaCalendarInput {
        name: "Madrid".into(),
        time_zone: "Europe/Madrid".into(),
        weekly_hours: SlaWeeklyHours {
            mon: split.clone(),
            tue: split.clone(),
            wed: split.clone(),
            thu: split,
            fri: vec![shift("09:00", "15:00")],
            ..SlaWeeklyHours::default()
        },
    }
}

fn chat_policy(name: &str, first: i64) -> SlaPolicyInput {
    SlaPolicyInput {
        name: name.into(),
        match_priorities: vec![],
        match_channels: vec![Channel::Chat],
        match_accounts: vec![],
        first_response_secs: Some(first),
        next_response_secs: Some(600),
        resolution_secs: None,
        calendar_id: None,
        pause_when_pending: true,
        at_risk_percent: 80,
    }
}

fn config_rows(core: &AppCore) -> (i64, i64, i64) {
    core.store()
        .read(|c| {
            let count = |table: &str| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0));
            Ok((count("sla_policies")?, count("calendars")?, count("holidays")?))
        })
        .expect("counts")
}

#[tokio::test]
async fn policies_round_trip_in_order_and_reorder() {
    let ws = workspace().await;
    let core = &ws.core;
    let calendars = core.sla_calendar_save(None, madrid_calendar()).await.expect("calendar saved");
    let madrid = calendars[0].id;
    assert_eq!(calendars[0].calendar, madrid_calendar(), "the calendar reads back as it was entered");

    let account = core
        .store()
        .write(|tx| hilo_store::accounts::upsert(tx, "Soporte", hilo_model::AccountKind::Chatwoot, "{}", 0))
        .expect("account");
    let mut urgent = chat_policy("Urgent chat", 120);
    urgent.match_priorities = vec![Priority::Urgent, Priority::High];
    urgent.match_accounts = vec![account];
    urgent.calendar_id = Some(madrid);
    urgent.pause_when_pending = false;
    urgent.at_risk_percent = 50;
    core.sla_policy_save(None, chat_policy("Chat", 300)).await.expect("first policy");
    let list = core.sla_policy_save(None, urgent.clone()).await.expect("second policy");
    assert_eq!(list.policies.iter().map(|p| p.policy.name.as_str()).collect::<Vec<_>>(), ["Chat", "Urgent chat"]);
    assert_eq!(list.policies[1].policy, urgent, "every field of the policy reads back");
    assert_eq!(list.policies[1].position, 2, "a new policy goes last");
    assert_eq!(list.accounts.len(), 1, "the accounts a policy may match are offered");
    assert!(list.warnings.is_empty(), "both policies are usable: {:?}", list.warnings);

    let ids: Vec<i64> = list.policies.iter().rev().map(|p| p.id).collect();
    let list = core.sla_policies_reorder(ids.clone()).await.expect("reorder");
    assert_eq!(list.policies.iter().map(|p| p.id).collect::<Vec<_>>(), ids, "the new order is the evaluation order");
    assert_eq!(list.policies.iter().map(|p| p.position).collect::<Vec<_>>(), [1, 2], "positions renumbered");
    let calendars = core.sla_calendars().await.expect("calendars");
    assert_eq!(calendars[0].used_by, vec!["Urgent chat".to_owned()], "the calendar knows who uses it");

    let mut edited = urgent.clone();
    edited.resolution_secs = Some(8 * 3600);
    let list = core.sla_policy_save(Some(ids[0]), edited.clone()).await.expect("edit");
    assert_eq!(list.policies[0].policy, edited, "an edit keeps its place and rewrites the fields");

    let list = core.sla_policy_delete(ids[0]).await.expect("delete");
    assert_eq!(list.policies.len(), 1, "one left");
    assert_eq!(list.policies[0].position, 1, "the rest renumbered from 1");
}

#[tokio::test]
async fn invalid_input_is_refused_with_a_clear_error_and_writes_nothing() {
    let ws = workspace().await;
    let core = &ws.core;
    let madrid = core.sla_calendar_save(None, madrid_calendar()).await.expect("calendar")[0].id;
    let in_madrid = SlaPolicyInput { calendar_id: Some(madrid), ..chat_policy("Chat", 300) };
    let chat = core.sla_policy_save(None, in_madrid).await.expect("policy").policies[0].id;
    core.sla_holiday_add(madrid, "2026-12-25".into(), "Navidad".into()).await.expect("holiday");
    let before = config_rows(core);

    let mut overlapping = madrid_calendar();
    overlapping.name = "Overlap".into();
    overlapping.weekly_hours.mon = vec![shift("09:00", "14:00"), shift("13:30", "18:00")];
    let mut bad_zone = madrid_calendar();
    bad_zone.name = "Mars".into();
    bad_zone.time_zone = "Mars/Olympus".into();
    let mut reversed = madrid_calendar();
    reversed.weekly_hours.tue = vec![shift("18:00", "09:00")];
    let mut duplicate_name = madrid_calendar();
    duplicate_name.weekly_hours.sat = vec![shift("10:00", "12:00")];
    let mut calendar_missing = chat_policy("Other", 60);
    calendar_missing.calendar_id = Some(9_999);
    let mut unknown_account = chat_policy("Other", 60);
    unknown_account.match_accounts = vec![4_242];

    let failures: Vec<(&str, hilo_core::CoreError, &str)> = vec![
        ("overlapping shifts", core.sla_calendar_save(None, overlapping).await.expect_err("refused"), "overlap"),
        ("unknown zone", core.sla_calendar_save(None, bad_zone).await.expect_err("refused"), "Mars/Olympus"),
        ("reversed shift", core.sla_calendar_save(Some(madrid), reversed).await.expect_err("refused"), "18:00"),
        ("name taken", core.sla_calendar_save(None, duplicate_name).await.expect_err("refused"), "already called"),
        (
            "policy name taken",
            core.sla_policy_save(None, chat_policy("Chat", 60)).await.expect_err("refused"),
            "already called",
        ),
        ("zero target", core.sla_policy_save(Some(chat), chat_policy("Chat", 0)).await.expect_err("refused"), "zero"),
        ("missing calendar", core.sla_policy_save(None, calendar_missing).await.expect_err("refused"), "9999"),
        ("unknown account", core.sla_policy_save(None, unknown_account).await.expect_err("refused"), "4242"),
        (
            "bad date",
            core.sla_holiday_add(madrid, "2026-02-30".into(), "x".into()).await.expect_err("refused"),
            "2026-02-30",
        ),
        ("calendar in use", core.sla_calendar_delete(madrid).await.expect_err("refused"), "\"Chat\""),
        ("partial reorder", core.sla_policies_reorder(vec![]).await.expect_err("refused"), "every policy"),
        ("not ics", core.sla_holidays_import(madrid, "hello".into()).await.expect_err("refused"), "iCalendar"),
        (
            "broken ics",
            core.sla_holidays_import(madrid, "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n".into())
                .await
                .expect_err("refused"),
            "DTSTART",
        ),
    ];
    for (case, error, expected) in failures {
        assert_eq!(error.code(), ErrorCode::InvalidInput, "{case}: invalidInput, got {error}");
        assert!(error.to_string().contains(expected), "{case}: {error} should mention {expected:?}");
    }
    let missing = core.sla_policy_delete(12_345).await.expect_err("refused");
    assert_eq!(missing.code(), ErrorCode::NotFound, "an unknown policy is notFound");
    assert_eq!(config_rows(core), before, "no refused change wrote anything");
    let policy = &core.sla_policies().await.expect("list").policies[0];
    assert_eq!(policy.policy.first_response_secs, Some(300), "the refused edit left the policy as it was");
}

#[tokio::test]
async fn an_ical_feed_imports_new_dates_and_skips_known_ones() {
    let ws = workspace().await;
    let core = &ws.core;
    let madrid = core.sla_calendar_save(None, madrid_calendar()).await.expect("calendar")[0].id;
    core.sla_holiday_add(madrid, "2026-12-25".into(), "Navidad".into()).await.expect("holiday");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christmas\r\n\
               END:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:Año Nuevo\r\nEND:VEVENT\r\n\
               BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260406\r\nDTEND;VALUE=DATE:20260408\r\nSUMMARY:Pascua\r\n\
               END:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\nSUMMARY:dup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let result = core.sla_holidays_import(madrid, ics.into()).await.expect("import");
    assert_eq!(
        (result.imported, result.skipped),
        (3, 2),
        "New Year + two Easter days added; Christmas and the repeat skipped"
    );
    let holidays: Vec<(String, String)> =
        result.calendars[0].holidays.iter().map(|h| (h.date.clone(), h.name.clone())).collect();
    assert_eq!(
        holidays,
        [
            ("2026-01-01".into(), "Año Nuevo".into()),
            ("2026-04-06".into(), "Pascua".into()),
            ("2026-04-07".into(), "Pascua".into()),
            ("2026-12-25".into(), "Navidad".into()),
        ],
        "dates in order; an existing holiday keeps its name"
    );
    let again = core.sla_holidays_import(madrid, ics.into()).await.expect("import again");
    assert_eq!((again.imported, again.skipped), (0, 5), "importing twice adds nothing");
    let removed = core.sla_holiday_remove(madrid, "2026-04-07".into()).await.expect("remove");
    assert_eq!(removed[0].holidays.len(), 3, "one removed");
}

#[tokio::test]
async fn a_policy_change_re_evaluates_the_running_clocks_at_once() {
    let ws = workspace().await;
    let core = &ws.core;
    let policy = core.sla_policy_save(None, chat_policy("Chat", 30 * 60)).await.expect("policy").policies[0].id;
    let t0 = madrid(2025, 6, 16, 10, 0);
    core.store()
        .write(|tx| {
            let account = hilo_store::accounts::upsert(tx, "Soporte", hilo_model::AccountKind::Chatwoot, "{}", 0)?;
            let customer = hilo_store::customers::insert(tx, "Claudio Pérez", Some("es"), 0)?;
            let conversation = hilo_store::conversations::upsert(
                tx,
                &hilo_store::conversations::NewConversation {
                    account_id: account,
                    remote_id: "1",
                    channel: Channel::Chat,
                    status: hilo_model::ConversationStatus::Open,
                    priority: Priority::None,
                    subject: None,
                    customer_id: customer,
                    assignee: None,
                    team: None,
                    created_at: t0,
                    snoozed_until: None,
                },
            )?;
            hilo_store::messages::upsert(
                tx,
                &hilo_store::messages::NewMessage {
                    conversation_id: conversation,
                    remote_id: Some("m1"),
                    direction: Direction::Inbound,
                    kind: MessageKind::Message,
                    author: None,
                    text: "hola",
                    html: None,
                    delivery: hilo_model::DeliveryState::Delivered,
                    created_at: t0,
                    origin: hilo_model::Origin::Sync,
                },
            )?;
            Ok(())
        })
        .expect("conversation");
    let clock = ManualClock::new(t0 + 3 * MINUTE);
    let notifier = StampedNotifier::new(clock.clone());
    let handle = hilo_core::sla::spawn_sla_scheduler(
        core.store().clone(),
        notifier.clone(),
        hilo_core::sla::SlaSchedulerSettings::default(),
        clock.clone(),
    );
    settle(&handle).await;
    assert!(notifier.seen().is_empty(), "3 minutes into a 30-minute target nothing alerts");

    core.sla_policy_save(Some(policy), chat_policy("Chat", 2 * 60)).await.expect("tighten the target");
    handle.notify_changed();
    settle(&handle).await;
    let seen = notifier.seen();
    assert_eq!(seen.len(), 1, "the breach under the 2-minute target fires at once (it supersedes at risk): {seen:?}");
    let (at, notification) = &seen[0];
    assert_eq!(*at, t0 + 3 * MINUTE, "without the clock moving");
    assert_eq!(notification.urgency, hilo_core::Urgency::Critical, "a breach is critical");
    assert!(notification.title.contains("Claudio Pérez"), "it names the customer: {notification:?}");
}
