//! A FreeSWITCH event socket (inbound mode): `auth/request` → `auth`, `event plain …`,
//! `api`, `bgapi originate` (answered by the scripted call and a `BACKGROUND_JOB`
//! carrying its own body), `exit`; events framed with Content-Length and URL-encoded
//! values, repeated headers included (PROTOCOLS.md §3).

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::ami::{InboundScript, OriginateScript};
use super::{Conn, Flow, Sim, epoch_secs, read_request};

/// The simulated FreeSWITCH's event socket password.
#[derive(Debug)]
pub struct Esl {
    password: String,
}

/// What the simulated FreeSWITCH logs besides logins.
#[derive(Debug, Default)]
pub struct EslLog {
    commands: Vec<String>,
}

/// The simulator; stops accepting when dropped.
pub type EslSim = Sim<Esl, EslLog>;

impl Sim<Esl, EslLog> {
    pub fn start(password: &str) -> EslSim {
        Sim::listen("ESL", Esl { password: password.into() }, 1, 0xe51_5eed, serve)
    }

    /// Every command received (first line and headers, `\n`-joined).
    pub fn commands(&self) -> Vec<String> {
        self.read(|s| s.log.commands.clone())
    }

    /// A fresh UUID-like call id.
    pub fn next_id(&self) -> String {
        let n = self.shared.seq.fetch_add(4, Ordering::SeqCst);
        format!("{:08x}-e51a-4000-8000-{:012x}", epoch_secs() as u32, n)
    }
}

type Shared = super::Shared<Esl, EslLog>;

/// FreeSWITCH-style URL encoding of header values.
pub fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `text/event-plain` message; `own_body` is the event's own body (BACKGROUND_JOB).
pub fn event_message(fields: &[(String, String)], own_body: Option<&str>) -> Vec<u8> {
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(k);
        body.push_str(": ");
        body.push_str(&url_encode(v));
        body.push('\n');
    }
    if let Some(own) = own_body {
        body.push_str(&format!("Content-Length: {}\n\n{own}", own.len()));
    } else {
        body.push('\n');
    }
    format!("Content-Length: {}\nContent-Type: text/event-plain\n\n{body}", body.len()).into_bytes()
}

fn reply(text: &str) -> Vec<u8> {
    format!("Content-Type: command/reply\nReply-Text: {text}\n\n").into_bytes()
}

fn serve(shared: &Arc<Shared>, conn: &Arc<Conn>, mut reader: BufReader<TcpStream>) {
    conn.write_packet(b"Content-Type: auth/request\n\n", None);
    let mut authed = false;
    while let Some(lines) = read_request(&mut reader) {
        let command = lines.join("\n");
        shared.log(|l| {
            l.commands.push(if command.starts_with("auth ") { "auth <redacted>".into() } else { command.clone() });
        });
        let first = lines.first().cloned().unwrap_or_default();
        if let Some(password) = first.strip_prefix("auth ") {
            if password == shared.proto.password {
                authed = true;
                conn.write_packet(&reply("+OK accepted"), None);
            } else {
                // Counted before answering, so a test never looks too early.
                shared.count_refused_login();
                conn.write_packet(&reply("-ERR invalid"), None);
                let notice = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";
                conn.write_and_drop(
                    format!("Content-Type: text/disconnect-notice\nContent-Length: {}\n\n{notice}", notice.len())
                        .as_bytes(),
                );
                break;
            }
            continue;
        }
        if !authed {
            conn.write_packet(&reply("-ERR command not found"), None);
            continue;
        }
        if first.starts_with("event plain") {
            conn.write_packet(&reply("+OK event listener enabled plain"), None);
            conn.logged_in.store(true, Ordering::SeqCst);
            shared.count_login(|_| {});
        } else if first.starts_with("api ") {
            let out = "UP 0 years, 0 days, 1 hour, 2 minutes, 3 seconds\n";
            conn.write_packet(
                format!("Content-Type: api/response\nContent-Length: {}\n\n{out}", out.len()).as_bytes(),
                None,
            );
        } else if let Some(args) = first.strip_prefix("bgapi originate ") {
            let job = lines
                .iter()
                .find_map(|l| l.strip_prefix("Job-UUID: "))
                .map(str::to_owned)
                .unwrap_or_else(|| format!("job-{}", shared.seq.fetch_add(1, Ordering::SeqCst)));
            conn.write_packet(
                format!("Content-Type: command/reply\nReply-Text: +OK Job-UUID: {job}\nJob-UUID: {job}\n\n").as_bytes(),
                None,
            );
            let script = shared.originate.lock().map(|s| *s).unwrap_or(OriginateScript::Answer);
            let flow = originate_flow(args, &job, script);
            shared.broadcast_later(flow);
        } else if first == "exit" {
            conn.write_packet(&reply("+OK bye"), None);
            conn.write_and_drop(&[]);
            break;
        } else {
            conn.write_packet(&reply("-ERR command not found"), None);
        }
    }
}

struct Script {
    t0: u64,
    packets: Vec<Vec<u8>>,
}

struct LegSpec<'a> {
    uuid: String,
    call_uuid: String,
    direction: &'a str,
    channel: String,
    caller: &'a str,
    dest: &'a str,
}

impl Script {
    fn new() -> Script {
        Script { t0: epoch_secs().saturating_sub(300), packets: Vec::new() }
    }

    fn event(&mut self, name: &str, leg: &LegSpec<'_>, offset: u64, extra: &[(&str, &str)]) -> usize {
        let micros = (self.t0 + offset) * 1_000_000 + 654_321;
        let mut fields: Vec<(String, String)> = vec![
            ("Event-Name".into(), name.into()),
            ("Core-UUID".into(), "6d2375b0-5183-11e1-b24b-0123456789ab".into()),
            ("Event-Date-Local".into(), "2015-07-07 16:53:14".into()),
            ("Event-Date-Timestamp".into(), micros.to_string()),
            ("Unique-ID".into(), leg.uuid.clone()),
            ("Channel-Call-UUID".into(), leg.call_uuid.clone()),
            ("Call-Direction".into(), leg.direction.into()),
            ("Channel-Name".into(), leg.channel.clone()),
            ("Caller-Caller-ID-Number".into(), leg.caller.into()),
            ("Caller-Caller-ID-Name".into(), String::new()),
            ("Caller-Destination-Number".into(), leg.dest.into()),
        ];
        fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        self.packets.push(event_message(&fields, None));
        self.packets.len() - 1
    }

    fn hangup(&mut self, leg: &LegSpec<'_>, offset: u64, cause: &str, answered: bool) -> usize {
        let answered_time = if answered { ((self.t0 + 5) * 1_000_000).to_string() } else { "0".into() };
        // The cgrates capture repeats Hangup-Cause; the first one counts.
        self.event(
            "CHANNEL_HANGUP_COMPLETE",
            leg,
            offset,
            &[
                ("Hangup-Cause", cause),
                ("Hangup-Cause", cause),
                ("Caller-Channel-Answered-Time", &answered_time),
                ("variable_sip_hangup_disposition", "recv_bye"),
            ],
        )
    }

    fn noise(&mut self) {
        let fields = vec![
            ("Event-Name".to_owned(), "HEARTBEAT".to_owned()),
            ("Up-Time".to_owned(), "0 years, 0 days, 1 hour".to_owned()),
        ];
        self.packets.push(event_message(&fields, None));
    }
}

/// An inbound call to user 1000 (and 1001 for the ring group) from `number`.
pub fn inbound_flow(script: InboundScript, call_uuid: &str, number: &str) -> Flow {
    let mut s = Script::new();
    let a = LegSpec {
        uuid: call_uuid.to_owned(),
        call_uuid: call_uuid.to_owned(),
        direction: "inbound",
        channel: format!("sofia/external/{number}@gw.example"),
        caller: number,
        dest: "1000",
    };
    let agents: Vec<LegSpec> = match script {
        InboundScript::RingGroupNoAnswer => vec!["1000", "1001"],
        _ => vec!["1000"],
    }
    .into_iter()
    .enumerate()
    .map(|(i, ext)| LegSpec {
        uuid: format!("{call_uuid}-b{i}"),
        call_uuid: call_uuid.to_owned(),
        direction: "outbound",
        channel: format!("sofia/internal/{ext}@10.0.0.5"),
        caller: number,
        dest: ext,
    })
    .collect();
    let start = s.event("CHANNEL_CREATE", &a, 0, &[]);
    for b in &agents {
        s.event("CHANNEL_CREATE", b, 1, &[]);
        s.event("CHANNEL_PROGRESS", b, 1, &[]);
    }
    s.noise();
    let (answer, end, outcome) = match script {
        InboundScript::Answered => {
            let b = &agents[0];
            let answer = s.event("CHANNEL_ANSWER", b, 5, &[("Answer-State", "answered")]);
            s.event("CHANNEL_ANSWER", &a, 5, &[("Answer-State", "answered")]);
            s.event("CHANNEL_BRIDGE", &a, 5, &[("Other-Leg-Unique-ID", &b.uuid)]);
            s.event("CHANNEL_UNBRIDGE", &a, 65, &[]);
            s.hangup(b, 65, "NORMAL_CLEARING", true);
            (Some(answer), s.hangup(&a, 65, "NORMAL_CLEARING", true), "answered")
        }
        InboundScript::CallerCancels => {
            s.hangup(&agents[0], 8, "ORIGINATOR_CANCEL", false);
            (None, s.hangup(&a, 8, "ORIGINATOR_CANCEL", false), "missed")
        }
        InboundScript::RingGroupNoAnswer => {
            for b in &agents {
                s.hangup(b, 20, "NO_ANSWER", false);
            }
            (None, s.hangup(&a, 21, "NO_ANSWER", false), "missed")
        }
        InboundScript::Busy => {
            s.hangup(&agents[0], 2, "USER_BUSY", false);
            (None, s.hangup(&a, 2, "USER_BUSY", false), "busy")
        }
    };
    s.noise();
    Flow {
        name: script.name(),
        call_ref: call_uuid.to_owned(),
        packets: s.packets,
        start,
        answer,
        end,
        outcome,
        number: number.to_owned(),
    }
}

/// What FreeSWITCH sends after `bgapi originate {origination_uuid=U,…}user/1000 NUMBER …`.
pub fn originate_flow(args: &str, job: &str, script: OriginateScript) -> Flow {
    let vars = args.strip_prefix('{').and_then(|r| r.split_once('}'));
    let (vars, rest) = vars.unwrap_or(("", args));
    let uuid = vars
        .split(',')
        .find_map(|kv| kv.strip_prefix("origination_uuid="))
        .unwrap_or("00000000-0000-4000-8000-000000000000")
        .to_owned();
    let mut words = rest.split_whitespace();
    let endpoint = words.next().unwrap_or("user/1000").to_owned();
    let number = words.next().unwrap_or_default().to_owned();
    let ext = endpoint.rsplit('/').next().unwrap_or("1000").to_owned();
    let mut s = Script::new();
    let job_event = |s: &mut Script, body: &str| {
        let fields = vec![
            ("Event-Name".to_owned(), "BACKGROUND_JOB".to_owned()),
            ("Job-UUID".to_owned(), job.to_owned()),
            ("Job-Command".to_owned(), "originate".to_owned()),
            ("Job-Command-Arg".to_owned(), args.to_owned()),
        ];
        s.packets.push(event_message(&fields, Some(body)));
        s.packets.len() - 1
    };
    if script == OriginateScript::Reject {
        let end = job_event(&mut s, "-ERR USER_NOT_REGISTERED\n");
        return Flow {
            name: "outbound, endpoint not registered",
            call_ref: uuid,
            packets: s.packets,
            start: 0,
            answer: None,
            end,
            outcome: "failed",
            number,
        };
    }
    let a = LegSpec {
        uuid: uuid.clone(),
        call_uuid: uuid.clone(),
        direction: "outbound",
        channel: format!("sofia/internal/{ext}@10.0.0.5"),
        caller: &number,
        dest: &ext,
    };
    let start = s.event("CHANNEL_CREATE", &a, 0, &[]);
    s.event("CHANNEL_PROGRESS", &a, 0, &[]);
    if script == OriginateScript::AgentNoAnswer {
        let end = s.hangup(&a, 30, "NO_ANSWER", false);
        job_event(&mut s, "-ERR NO_ANSWER\n");
        return Flow {
            name: "outbound, agent does not answer",
            call_ref: uuid.clone(),
            packets: s.packets,
            start,
            answer: None,
            end,
            outcome: "failed",
            number,
        };
    }
    s.event("CHANNEL_ANSWER", &a, 3, &[]);
    job_event(&mut s, &format!("+OK {uuid}\n"));
    let b = LegSpec {
        uuid: format!("{uuid}-b"),
        call_uuid: uuid.clone(),
        direction: "outbound",
        channel: format!("sofia/gateway/gw1/{number}"),
        caller: &ext,
        dest: &number,
    };
    s.event("CHANNEL_CREATE", &b, 3, &[]);
    s.event("CHANNEL_PROGRESS", &b, 4, &[]);
    let (answer, end, outcome) = if script == OriginateScript::CustomerBusy {
        s.hangup(&b, 5, "USER_BUSY", false);
        (None, s.hangup(&a, 5, "NORMAL_CLEARING", true), "busy")
    } else {
        let answer = s.event("CHANNEL_ANSWER", &b, 10, &[]);
        s.event("CHANNEL_BRIDGE", &a, 10, &[("Other-Leg-Unique-ID", &b.uuid)]);
        s.event("CHANNEL_UNBRIDGE", &a, 40, &[]);
        s.hangup(&b, 40, "NORMAL_CLEARING", true);
        (Some(answer), s.hangup(&a, 40, "NORMAL_CLEARING", true), "answered")
    };
    Flow { name: "outbound originate", call_ref: uuid.clone(), packets: s.packets, start, answer, end, outcome, number }
}
