//! An Asterisk Manager Interface server: banner, Challenge + Login (MD5 or plain), Ping, Originate with
//! `Async: true` and a preset `ChannelId` (answering with the scripted call and an
//! `OriginateResponse`), Logoff; and scripted inbound calls shaped like the FreePBX
//! capture of PROTOCOLS.md §1.7, with the noise real servers send (unknown events,
//! repeated keys, empty values, `<unknown>` placeholders).

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use super::{Conn, Flow, Sim, epoch_secs, read_request};

/// What the simulated PBX does with an `Originate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginateScript {
    /// The agent's phone answers, then the customer answers and they talk.
    Answer,
    /// The agent's phone rings out: `OriginateResponse` Failure, Reason 3.
    AgentNoAnswer,
    /// The agent answers; the customer's line is busy.
    CustomerBusy,
    /// The action itself is refused: `Response: Error`.
    Reject,
}

/// Which logins the simulated server accepts (PROTOCOLS.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginScript {
    /// `Challenge` + MD5 `Key`, or a plain `Secret` (what Asterisk does).
    Both,
    /// No `Challenge` action (an old proxy): plain `Secret` only.
    PlainOnly,
    /// A plain `Secret` is refused: only the MD5 challenge logs in.
    Md5Only,
}

/// The simulated Asterisk's account and login script.
#[derive(Debug)]
pub struct Ami {
    username: String,
    secret: String,
    login: Mutex<LoginScript>,
}

/// What the simulated Asterisk logs besides logins.
#[derive(Debug, Default)]
pub struct AmiLog {
    md5_logins: usize,
    pings: usize,
    actions: Vec<Vec<(String, String)>>,
}

/// The simulator; stops accepting when dropped.
pub type AmiSim = Sim<Ami, AmiLog>;

impl Sim<Ami, AmiLog> {
    /// Listens on a free loopback port for `username` / `secret`.
    pub fn start(username: &str, secret: &str) -> AmiSim {
        let ami = Ami { username: username.into(), secret: secret.into(), login: Mutex::new(LoginScript::Both) };
        Sim::listen("AMI", ami, 0x1b, 0x5eed_0a31, serve)
    }

    pub fn set_login(&self, script: LoginScript) {
        if let Ok(mut s) = self.shared.proto.login.lock() {
            *s = script;
        }
    }

    /// Successful logins that used the MD5 challenge.
    pub fn md5_logins(&self) -> usize {
        self.read(|s| s.log.md5_logins)
    }

    pub fn pings(&self) -> usize {
        self.read(|s| s.log.pings)
    }

    /// Every action received, as its fields.
    pub fn actions(&self) -> Vec<Vec<(String, String)>> {
        self.read(|s| s.log.actions.clone())
    }

    /// A fresh Linkedid-style id: `epoch.seq`.
    pub fn next_id(&self) -> String {
        format!("{}.{}", epoch_secs(), self.shared.seq.fetch_add(4, Ordering::SeqCst))
    }
}

type Shared = super::Shared<Ami, AmiLog>;

/// What Asterisk compares an MD5 login's `Key` with.
fn md5_hex(nonce: &str, secret: &str) -> String {
    use md5::{Digest, Md5};
    Md5::new().chain_update(nonce).chain_update(secret).finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders `Key: Value` pairs as one CRLF packet.
pub fn packet(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (k, v) in fields {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn serve(shared: &Arc<Shared>, conn: &Arc<Conn>, mut reader: BufReader<TcpStream>) {
    conn.write_packet(b"Asterisk Call Manager/5.0.3\r\n", None);
    // The nonce of this connection's last Challenge: a Key is checked against it.
    let mut nonce: Option<String> = None;
    while let Some(action) = read_action(&mut reader) {
        shared.log(|l| l.actions.push(action.clone()));
        let get = |k: &str| action.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str());
        let action_id = get("ActionID").unwrap_or_default().to_owned();
        match get("Action").unwrap_or_default().to_ascii_lowercase().as_str() {
            "challenge" => {
                let script = shared.proto.login.lock().map(|s| *s).unwrap_or(LoginScript::Both);
                let reply = if script == LoginScript::PlainOnly {
                    packet(&[("Response", "Error"), ("ActionID", &action_id), ("Message", "Invalid/unknown command")])
                } else if !get("AuthType").is_some_and(|t| t.eq_ignore_ascii_case("md5")) {
                    packet(&[("Response", "Error"), ("ActionID", &action_id), ("Message", "Must specify AuthType")])
                } else {
                    let fresh = format!("{}", 100_000_000 + shared.seq.fetch_add(7919, Ordering::SeqCst) * 31);
                    nonce = Some(fresh.clone());
                    packet(&[("Response", "Success"), ("ActionID", &action_id), ("Challenge", &fresh)])
                };
                conn.write_packet(&reply, None);
            }
            "login" => {
                let script = shared.proto.login.lock().map(|s| *s).unwrap_or(LoginScript::Both);
                let md5 = get("AuthType").is_some_and(|t| t.eq_ignore_ascii_case("md5"));
                let proof = if md5 {
                    script != LoginScript::PlainOnly
                        && nonce.take().is_some_and(|n| get("Key") == Some(md5_hex(&n, &shared.proto.secret).as_str()))
                } else {
                    script != LoginScript::Md5Only && get("Secret") == Some(shared.proto.secret.as_str())
                };
                let ok = get("Username") == Some(shared.proto.username.as_str()) && proof;
                if ok {
                    conn.write_packet(
                        &packet(&[
                            ("Response", "Success"),
                            ("ActionID", &action_id),
                            ("Message", "Authentication accepted"),
                        ]),
                        None,
                    );
                    conn.logged_in.store(true, Ordering::SeqCst);
                    conn.write_packet(
                        &packet(&[("Event", "FullyBooted"), ("Privilege", "system,all"), ("Status", "Fully Booted")]),
                        None,
                    );
                    shared.count_login(|l| l.md5_logins += usize::from(md5));
                } else {
                    // Counted before answering: the client reports the refusal
                    // (and a test looks) as soon as the answer arrives.
                    shared.count_refused_login();
                    conn.write_packet(
                        &packet(&[
                            ("Response", "Error"),
                            ("ActionID", &action_id),
                            ("Message", "Authentication failed"),
                        ]),
                        None,
                    );
                    conn.write_and_drop(&[]);
                    break;
                }
            }
            "ping" => {
                shared.log(|l| l.pings += 1);
                let ts = format!("{}.000000", epoch_secs());
                conn.write_packet(
                    &packet(&[("Response", "Success"), ("ActionID", &action_id), ("Ping", "Pong"), ("Timestamp", &ts)]),
                    None,
                );
            }
            "logoff" => {
                conn.write_packet(
                    &packet(&[
                        ("Response", "Goodbye"),
                        ("ActionID", &action_id),
                        ("Message", "Thanks for all the fish."),
                    ]),
                    None,
                );
                conn.write_and_drop(&[]);
                break;
            }
            "originate" => originate(shared, conn, &action_id, &action),
            _ => {
                conn.write_packet(
                    &packet(&[("Response", "Error"), ("ActionID", &action_id), ("Message", "Invalid/unknown command")]),
                    None,
                );
            }
        }
    }
}

fn read_action(reader: &mut BufReader<TcpStream>) -> Option<Vec<(String, String)>> {
    let lines = read_request(reader)?;
    let field = |line: &str| {
        let (k, v) = line.split_once(':').unwrap_or((line, ""));
        (k.trim().to_owned(), v.strip_prefix(' ').unwrap_or(v).to_owned())
    };
    Some(lines.iter().map(|line| field(line)).collect())
}

fn originate(shared: &Arc<Shared>, conn: &Conn, action_id: &str, action: &[(String, String)]) {
    let get = |k: &str| action.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
    let script = shared.originate.lock().map(|s| *s).unwrap_or(OriginateScript::Answer);
    if script == OriginateScript::Reject {
        conn.write_packet(
            &packet(&[("Response", "Error"), ("ActionID", action_id), ("Message", "Originate failed")]),
            None,
        );
        return;
    }
    conn.write_packet(
        &packet(&[("Response", "Success"), ("ActionID", action_id), ("Message", "Originate successfully queued")]),
        None,
    );
    let seq = shared.seq.fetch_add(4, Ordering::SeqCst);
    let channel_id = get("ChannelId").unwrap_or_else(|| format!("{}.{seq}", epoch_secs()));
    let endpoint = get("Channel").unwrap_or_else(|| "PJSIP/1986".into());
    let exten = get("Exten").unwrap_or_default();
    let flow = originate_flow(&channel_id, &endpoint, &exten, action_id, script, seq);
    // The events come from the PBX, not in answer to this connection: every client sees them.
    shared.broadcast_later(flow);
}

/// Fields common to every channel snapshot (§1.4).
struct Chan<'a> {
    channel: String,
    state: (&'a str, &'a str),
    caller: &'a str,
    caller_name: &'a str,
    exten: &'a str,
    uniqueid: String,
    linkedid: String,
}

impl Chan<'_> {
    fn fields(&self, prefix: &str) -> Vec<(String, String)> {
        vec![
            (format!("{prefix}Channel"), self.channel.clone()),
            (format!("{prefix}ChannelState"), self.state.0.into()),
            (format!("{prefix}ChannelStateDesc"), self.state.1.into()),
            (format!("{prefix}CallerIDNum"), self.caller.into()),
            (format!("{prefix}CallerIDName"), self.caller_name.into()),
            (format!("{prefix}ConnectedLineNum"), "<unknown>".into()),
            (format!("{prefix}ConnectedLineName"), "<unknown>".into()),
            (format!("{prefix}Language"), "en".into()),
            (format!("{prefix}AccountCode"), String::new()),
            (format!("{prefix}Context"), "from-internal".into()),
            (format!("{prefix}Exten"), self.exten.into()),
            (format!("{prefix}Priority"), "1".into()),
            (format!("{prefix}Uniqueid"), self.uniqueid.clone()),
            (format!("{prefix}Linkedid"), self.linkedid.clone()),
        ]
    }
}

/// Builds events with timestamps `t0 + offset` (`timestampevents=yes`).
struct Script {
    t0: u64,
    packets: Vec<Vec<u8>>,
}

impl Script {
    fn new() -> Script {
        // In the recent past, so a link-lost close (stamped now) comes after every event.
        Script { t0: epoch_secs().saturating_sub(300), packets: Vec::new() }
    }

    fn event(&mut self, name: &str, offset: u64, extra: Vec<(String, String)>) -> usize {
        let ts = format!("{}.{:06}", self.t0 + offset, 123_456);
        let mut fields: Vec<(String, String)> =
            vec![("Event".into(), name.into()), ("Privilege".into(), "call,all".into()), ("Timestamp".into(), ts)];
        fields.extend(extra);
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.packets.push(packet(&refs));
        self.packets.len() - 1
    }

    fn noise(&mut self, offset: u64, uniqueid: &str) {
        // Unknown to Hilo, with a repeated key: must be skipped, not trip the parser.
        self.event(
            "RTCPSent",
            offset,
            vec![
                ("Uniqueid".into(), uniqueid.into()),
                ("ChanVariable".into(), "a=1".into()),
                ("ChanVariable".into(), "b=2".into()),
                ("Report0SourceSSRC".into(), String::new()),
            ],
        );
    }
}

fn kv(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
}

/// The inbound calls the tests script, each from `number` to the agents' extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundScript {
    /// The agent answers after 5 s; they talk 60 s.
    Answered,
    /// The caller hangs up while the agent's phone rings (`DialEnd CANCEL`).
    CallerCancels,
    /// A ring group (1986 and 1987); nobody answers (`DialEnd NOANSWER` ×2, losers cause 0).
    RingGroupNoAnswer,
    /// The agent's line is busy (`DialEnd BUSY`).
    Busy,
}

impl InboundScript {
    pub const ALL: [InboundScript; 4] =
        [InboundScript::Answered, InboundScript::CallerCancels, InboundScript::RingGroupNoAnswer, InboundScript::Busy];

    /// The flow's name, the same for AMI and ESL.
    pub fn name(self) -> &'static str {
        match self {
            InboundScript::Answered => "inbound answered",
            InboundScript::CallerCancels => "caller cancels",
            InboundScript::RingGroupNoAnswer => "ring group, nobody answers",
            InboundScript::Busy => "busy",
        }
    }
}

/// An inbound call to extension 1986 (and 1987 for the ring group) from `number`,
/// with call id `linkedid`.
pub fn inbound_flow(script: InboundScript, linkedid: &str, number: &str) -> Flow {
    let mut s = Script::new();
    let base = linkedid.rsplit_once('.').map(|(b, _)| b.to_owned()).unwrap_or_else(|| linkedid.to_owned());
    let seq: u64 = linkedid.rsplit_once('.').and_then(|(_, q)| q.parse().ok()).unwrap_or(1);
    let caller = Chan {
        channel: format!("PJSIP/trunk-{:08x}", seq),
        state: ("4", "Ring"),
        caller: number,
        caller_name: "",
        exten: "1986",
        uniqueid: linkedid.to_owned(),
        linkedid: linkedid.to_owned(),
    };
    let agents: Vec<Chan> = match script {
        InboundScript::RingGroupNoAnswer => vec!["1986", "1987"],
        _ => vec!["1986"],
    }
    .into_iter()
    .enumerate()
    .map(|(i, ext)| Chan {
        channel: format!("PJSIP/{ext}-{:08x}", seq + 1 + i as u64),
        state: ("0", "Down"),
        caller: ext,
        caller_name: "Agent",
        exten: "s",
        uniqueid: format!("{base}.{}", seq + 1 + i as u64),
        linkedid: linkedid.to_owned(),
    })
    .collect();

    let start = s.event("Newchannel", 0, caller.fields(""));
    for a in &agents {
        s.event("Newchannel", 1, a.fields(""));
        let mut dial = caller.fields("");
        dial.extend(a.fields("Dest"));
        dial.push(kv("DialString", &a.channel.split('-').next().unwrap_or("PJSIP/1986").replace("PJSIP/", "")));
        s.event("DialBegin", 1, dial);
    }
    s.noise(1, linkedid);
    for a in &agents {
        let mut ringing = a.fields("");
        ringing[1] = kv("ChannelState", "5");
        ringing[2] = kv("ChannelStateDesc", "Ringing");
        s.event("Newstate", 1, ringing);
        let mut state = caller.fields("");
        state.extend(a.fields("Dest"));
        state.push(kv("DialStatus", "RINGING"));
        s.event("DialState", 1, state);
    }
    let dial_end = |s: &mut Script, a: &Chan, status: &str, offset: u64| {
        let mut f = caller.fields("");
        f.extend(a.fields("Dest"));
        f.push(kv("DialStatus", status));
        s.event("DialEnd", offset, f)
    };
    let hangup = |s: &mut Script, c: &Chan, cause: &str, txt: &str, offset: u64| {
        let mut f = c.fields("");
        f.push(kv("Cause", cause));
        f.push(kv("Cause-txt", txt));
        s.event("Hangup", offset, f)
    };
    let (answer, end, outcome) = match script {
        InboundScript::Answered => {
            let a = &agents[0];
            let mut up = a.fields("");
            up[1] = kv("ChannelState", "6");
            up[2] = kv("ChannelStateDesc", "Up");
            s.event("Newstate", 5, up);
            let answer = dial_end(&mut s, a, "ANSWER", 5);
            for c in [&caller, a] {
                let mut b = c.fields("");
                b.push(kv("BridgeUniqueid", "a4b3c2d1-0000-4000-8000-000000000001"));
                b.push(kv("BridgeType", "basic"));
                s.event("BridgeEnter", 5, b);
            }
            // A response to nobody's action, between events, must not confuse the client.
            s.packets.push(packet(&[("Response", "Success"), ("ActionID", "not-ours-7"), ("Message", "whatever")]));
            s.event("HangupRequest", 65, a.fields(""));
            for c in [&caller, a] {
                s.event("BridgeLeave", 65, c.fields(""));
            }
            hangup(&mut s, a, "16", "Normal Clearing", 65);
            let end = hangup(&mut s, &caller, "16", "Normal Clearing", 65);
            (Some(answer), end, "answered")
        }
        InboundScript::CallerCancels => {
            let a = &agents[0];
            dial_end(&mut s, a, "CANCEL", 8);
            hangup(&mut s, a, "0", "Unknown", 8);
            let end = hangup(&mut s, &caller, "127", "Interworking, unspecified", 8);
            (None, end, "missed")
        }
        InboundScript::RingGroupNoAnswer => {
            for a in &agents {
                dial_end(&mut s, a, "NOANSWER", 20);
            }
            for a in &agents {
                hangup(&mut s, a, "0", "Unknown", 20);
            }
            let end = hangup(&mut s, &caller, "19", "User alerting, no answer", 21);
            (None, end, "missed")
        }
        InboundScript::Busy => {
            let a = &agents[0];
            dial_end(&mut s, a, "BUSY", 2);
            hangup(&mut s, a, "17", "User busy", 2);
            let end = hangup(&mut s, &caller, "17", "User busy", 2);
            (None, end, "busy")
        }
    };
    s.noise(70, linkedid);
    Flow {
        name: script.name(),
        call_ref: linkedid.to_owned(),
        packets: s.packets,
        start,
        answer,
        end,
        outcome,
        number: number.to_owned(),
    }
}

/// What Asterisk sends after an accepted `Originate` with a preset `ChannelId`.
pub fn originate_flow(
    channel_id: &str,
    endpoint: &str,
    exten: &str,
    action_id: &str,
    script: OriginateScript,
    seq: usize,
) -> Flow {
    let mut s = Script::new();
    let ext = endpoint.rsplit('/').next().unwrap_or("1986");
    let agent = Chan {
        channel: format!("{endpoint}-{:08x}", seq),
        state: ("0", "Down"),
        caller: ext,
        caller_name: "Hilo",
        exten: "s",
        uniqueid: channel_id.to_owned(),
        linkedid: channel_id.to_owned(),
    };
    let trunk = Chan {
        channel: format!("PJSIP/trunk-{:08x}", seq + 1),
        state: ("0", "Down"),
        caller: exten,
        caller_name: "",
        exten,
        uniqueid: format!("{channel_id}-b"),
        linkedid: channel_id.to_owned(),
    };
    let start = s.event("Newchannel", 0, agent.fields(""));
    let mut ringing = agent.fields("");
    ringing[1] = kv("ChannelState", "5");
    ringing[2] = kv("ChannelStateDesc", "Ringing");
    s.event("Newstate", 0, ringing);
    let response = |s: &mut Script, ok: bool, reason: &str, offset: u64| {
        s.event(
            "OriginateResponse",
            offset,
            vec![
                kv("ActionID", action_id),
                kv("Response", if ok { "Success" } else { "Failure" }),
                kv("Channel", &agent.channel),
                kv("Context", "from-internal"),
                kv("Exten", exten),
                kv("Reason", reason),
                kv("Uniqueid", channel_id),
                kv("CallerIDNum", ext),
                kv("CallerIDName", "Hilo"),
            ],
        )
    };
    let hangup = |s: &mut Script, c: &Chan, cause: &str, offset: u64| {
        let mut f = c.fields("");
        f.push(kv("Cause", cause));
        s.event("Hangup", offset, f)
    };
    if script == OriginateScript::AgentNoAnswer {
        let end = hangup(&mut s, &agent, "19", 30);
        response(&mut s, false, "3", 30);
        return Flow {
            name: "outbound, agent does not answer",
            call_ref: channel_id.to_owned(),
            packets: s.packets,
            start,
            answer: None,
            end,
            outcome: "failed",
            number: exten.to_owned(),
        };
    }
    let mut up = agent.fields("");
    up[1] = kv("ChannelState", "6");
    up[2] = kv("ChannelStateDesc", "Up");
    s.event("Newstate", 3, up);
    response(&mut s, true, "4", 3);
    s.event("Newchannel", 3, trunk.fields(""));
    let mut dial = agent.fields("");
    dial.extend(trunk.fields("Dest"));
    dial.push(kv("DialString", &format!("trunk/{exten}")));
    s.event("DialBegin", 3, dial.clone());
    let (answer, end, outcome) = if script == OriginateScript::CustomerBusy {
        let mut d = dial.clone();
        d.retain(|(k, _)| k != "DialString");
        d.push(kv("DialStatus", "BUSY"));
        s.event("DialEnd", 5, d);
        hangup(&mut s, &trunk, "17", 5);
        (None, hangup(&mut s, &agent, "16", 5), "busy")
    } else {
        let mut d = dial.clone();
        d.retain(|(k, _)| k != "DialString");
        d.push(kv("DialStatus", "ANSWER"));
        let answer = s.event("DialEnd", 10, d);
        hangup(&mut s, &trunk, "16", 40);
        (Some(answer), hangup(&mut s, &agent, "16", 40), "answered")
    };
    Flow {
        name: "outbound originate",
        call_ref: channel_id.to_owned(),
        packets: s.packets,
        start,
        answer,
        end,
        outcome,
        number: exten.to_owned(),
    }
}
