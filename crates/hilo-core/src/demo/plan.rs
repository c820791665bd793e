//! The demo's content, planned in memory before a single row is written. Pure and
//! deterministic: the same seed, size and `now` give the same plan, byte for byte.
//! Every customer draws from their own random stream, so the first customers of a
//! large demo are the customers of a small one.

use std::collections::HashSet;

use hilo_model::time::{DAY, HOUR, MINUTE};
use hilo_model::{
    CallOutcome, Channel, ConversationStatus, DeliveryState, Direction, EventKind, IdentityInput, IdentityKind,
    MessageKind, NormalizedIdentity, Priority, normalize_identity,
};
use phonenumber::country;

use super::text::{self, Script, TOPICS};
use crate::html;

const SECOND: i64 = 1_000;

/// Chatwoot's own account id, the scope of its contact ids (`"1:3800"`).
pub(super) const CHATWOOT_ACCOUNT_REF: i64 = 1;
const CONTACT_ID_BASE: usize = 3800;

/// Nothing but Claudio's Facebook message may be newer than this (see `build`).
const QUIET_BEFORE_NOW: i64 = 5 * MINUTE;

pub(super) const CLAUDIO_NAME: &str = "Claudio Pérez";
pub(super) const CLAUDIO_EMAIL: &str = "claudio.perez@example.com";
pub(super) const CLAUDIO_PHONE_DISPLAY: &str = "+34 600 123 456";
pub(super) const CLAUDIO_PHONE: &str = "+34600123456";
pub(super) const CLAUDIO_FACEBOOK: &str = "claudio.perez.92";
pub(super) const CLAUDIO_ORDER: &str = "#48213";
pub(super) const CLAUDIO_NOTE: &str =
    "Llamada de Claudio: el pedido #48213 no llegó. Reposición enviada, llega en 1 día.";
pub(super) const CLAUDIO_FACEBOOK_TEXT: &str =
    "Hola, soy Claudio. Ayer llamé por mi pedido #48213 que no llegó. ¿Me confirmáis que la reposición llega hoy?";
pub(super) const CLAUDIO_CALL_SUMMARY: &str = "Pedido #48213 no ha llegado";
/// Claudio's duplicate from the mailbox (see `Builder::claudio_duplicate`).
pub(super) const CLAUDIO_DUPLICATE_NAME: &str = "Claudio Perez";
pub(super) const CLAUDIO_DUPLICATE_EMAIL: &str = "claudio.p@example.com";
pub(super) const CLAUDIO_DUPLICATE_PHONE: &str = "600 12 34 56";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Acct {
    Chatwoot,
    Email,
    Pbx,
}

#[derive(Debug)]
pub(super) struct Agent {
    pub name: &'static str,
    pub first: &'static str,
    pub endpoint: &'static str,
    pub extension: &'static str,
    /// Writes internal notes in English.
    pub english: bool,
}

pub(super) const AGENTS: &[Agent] = &[
    Agent { name: "Ana García", first: "Ana", endpoint: "PJSIP/1986", extension: "1986", english: false },
    Agent { name: "Luis Romero", first: "Luis", endpoint: "PJSIP/1987", extension: "1987", english: false },
    Agent { name: "Marta Ruiz", first: "Marta", endpoint: "PJSIP/1988", extension: "1988", english: false },
    Agent { name: "Sam Taylor", first: "Sam", endpoint: "PJSIP/1989", extension: "1989", english: true },
];
const ANA: usize = 0;
const LUIS: usize = 1;
const MARTA: usize = 2;
const SAM: usize = 3;
pub(super) const BOT: &str = "Bot";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Es,
    En,
}

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }
}

#[derive(Debug)]
pub(super) struct PlanIdentity {
    pub identity: NormalizedIdentity,
    pub account: Option<Acct>,
}

#[derive(Debug)]
pub(super) struct PlanCustomer {
    pub name: String,
    pub language: &'static str,
    pub created_at: i64,
    pub identities: Vec<PlanIdentity>,
    first: String,
    lang: Lang,
    /// E.164, when the customer has a phone.
    phone: Option<String>,
    email_domain: Option<String>,
}

impl PlanCustomer {
    fn has(&self, kind: IdentityKind) -> bool {
        self.identities.iter().any(|i| i.identity.kind == kind)
    }
}

#[derive(Debug)]
pub(super) struct PlanMessage {
    pub remote_id: Option<String>,
    pub direction: Direction,
    pub kind: MessageKind,
    pub author: String,
    pub text: String,
    pub html: Option<String>,
    pub delivery: DeliveryState,
    pub at: i64,
}

#[derive(Debug)]
pub(super) struct PlanEvent {
    pub kind: EventKind,
    pub at: i64,
    pub actor: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug)]
pub(super) struct PlanConversation {
    pub customer: usize,
    pub account: Acct,
    pub remote_id: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub priority: Priority,
    pub subject: Option<String>,
    pub assignee: Option<&'static str>,
    pub team: Option<&'static str>,
    pub created_at: i64,
    pub snoozed_until: Option<i64>,
    pub messages: Vec<PlanMessage>,
    pub events: Vec<PlanEvent>,
    /// What the agent would answer next, for the replies left pending or failed.
    next_reply: Option<String>,
}

impl PlanConversation {
    fn last_message(&self) -> Option<&PlanMessage> {
        self.messages.iter().max_by_key(|m| m.at)
    }
}

#[derive(Debug)]
pub(super) struct PlanCall {
    pub call_ref: String,
    pub direction: Direction,
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<&'static str>,
    pub outcome: CallOutcome,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub hangup_cause: Option<&'static str>,
    pub customer: Option<usize>,
    /// Remote id of the phone system's conversation the call belongs to.
    pub conversation: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug)]
pub(super) struct Plan {
    /// Claudio first, so he is customer #1 of a fresh workspace.
    pub customers: Vec<PlanCustomer>,
    /// In creation order; ids are assigned in that order too.
    pub conversations: Vec<PlanConversation>,
    pub calls: Vec<PlanCall>,
}

/// SplitMix64: tiny, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + self.below((hi - lo) as u64) as i64 }
    }

    /// A duration in whole seconds between `lo` and `hi` milliseconds.
    fn span(&mut self, lo: i64, hi: i64) -> i64 {
        self.range(lo / SECOND, hi / SECOND) * SECOND
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut r = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        0
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

pub(super) fn build(customers: usize, seed: u64, now: i64) -> Plan {
    let mut b = Builder {
        now,
        seed,
        used: HashSet::new(),
        customers: Vec::new(),
        conversations: Vec::new(),
        hostile_done: false,
        claudio_call: None,
    };
    b.claudio();
    for i in 1..customers.max(1) {
        let mut rng = Rng::new(seed, i as u64);
        b.customer(&mut rng);
        let count = [1, 2, 3, 4][rng.weighted(&[35, 35, 20, 10])];
        for _ in 0..count {
            b.conversation(&mut rng, i);
        }
    }
    b.finish()
}

struct Builder {
    now: i64,
    seed: u64,
    /// Normalized identities already handed out: one identity, one customer.
    used: HashSet<(IdentityKind, String)>,
    customers: Vec<PlanCustomer>,
    conversations: Vec<PlanConversation>,
    hostile_done: bool,
    claudio_call: Option<PlanCall>,
}

fn es() -> country::Id {
    country::Id::ES
}

fn message(direction: Direction, kind: MessageKind, author: &str, text: String, at: i64) -> PlanMessage {
    PlanMessage {
        remote_id: Some(String::new()),
        direction,
        kind,
        author: author.to_owned(),
        text,
        html: None,
        delivery: DeliveryState::Delivered,
        at,
    }
}

fn event(kind: EventKind, at: i64, actor: Option<&str>, from: Option<&str>, to: Option<&str>) -> PlanEvent {
    PlanEvent { kind, at, actor: actor.map(str::to_owned), from: from.map(str::to_owned), to: to.map(str::to_owned) }
}

impl Builder {
    fn claim(&mut self, raw: &str, kind: IdentityKind) -> Option<NormalizedIdentity> {
        let n = normalize_identity(IdentityInput { kind, raw }, es());
        (n.kind == kind && self.used.insert((n.kind, n.value.clone()))).then_some(n)
    }

    /// Claudio Pérez: an old email, Monday's call, Ana's note, and today's Facebook message.
    fn claudio(&mut self) {
        let now = self.now;
        let mut identities = Vec::new();
        for (kind, raw, account) in [
            (IdentityKind::Email, CLAUDIO_EMAIL, None),
            (IdentityKind::Phone, CLAUDIO_PHONE_DISPLAY, None),
            (IdentityKind::Facebook, CLAUDIO_FACEBOOK, Some(Acct::Chatwoot)),
        ] {
            if let Some(identity) = self.claim(raw, kind) {
                identities.push(PlanIdentity { identity, account });
            }
        }
        let contact = format!("{CHATWOOT_ACCOUNT_REF}:{CONTACT_ID_BASE}");
        if let Some(identity) = self.claim(&contact, IdentityKind::Contact) {
            identities.push(PlanIdentity { identity, account: Some(Acct::Chatwoot) });
        }
        self.customers.push(PlanCustomer {
            name: CLAUDIO_NAME.to_owned(),
            language: "es",
            created_at: now - 140 * DAY,
            identities,
            first: "Claudio".to_owned(),
            lang: Lang::Es,
            phone: Some(CLAUDIO_PHONE.to_owned()),
            email_domain: Some("example.com".to_owned()),
        });

        // Three weeks ago: the order confirmation that never arrived, answered by Luis.
        let t0 = now - 21 * DAY - 3 * HOUR;
        let luis = AGENTS[LUIS].name;
        let root = "<CAK4x9Lq0p3Fw@mail.example.com>".to_owned();
        let mut first = message(
            Direction::Inbound,
            MessageKind::Message,
            CLAUDIO_NAME,
            "Hola, ayer hice el pedido #48213 (unas zapatillas de running, talla 43) y no me ha llegado el email \
             de confirmación. ¿Está bien hecho el pedido?\n\nUn saludo,\nClaudio Pérez"
                .to_owned(),
            t0,
        );
        first.remote_id = Some(root.clone());
        let mut reply = message(
            Direction::Outbound,
            MessageKind::Message,
            luis,
            "Hola Claudio,\n\nel pedido #48213 está confirmado y el pago se cobró correctamente. Te he reenviado \
             la confirmación a esta dirección; revisa también la carpeta de spam. Saldrá de nuestro almacén en \
             24-48 horas.\n\nUn saludo,\nLuis Romero\nAtención al cliente · Tienda"
                .to_owned(),
            t0 + 2 * HOUR + 10 * MINUTE,
        );
        reply.remote_id = Some("<20c1f3a9d2e54b7a.1@tienda.example>".to_owned());
        reply.html = Some(html::sanitize(&text::text_to_html(&reply.text)));
        let mut thanks = message(
            Direction::Inbound,
            MessageKind::Message,
            CLAUDIO_NAME,
            "Recibido, muchas gracias.\n\nClaudio".to_owned(),
            t0 + 5 * HOUR + 4 * MINUTE,
        );
        thanks.remote_id = Some("<CAK4x9Lq7r2Zt@mail.example.com>".to_owned());
        self.conversations.push(PlanConversation {
            customer: 0,
            account: Acct::Email,
            remote_id: root,
            channel: Channel::Email,
            status: ConversationStatus::Resolved,
            priority: Priority::None,
            subject: Some("Confirmación del pedido #48213".to_owned()),
            assignee: Some(luis),
            team: Some("Soporte"),
            created_at: t0,
            snoozed_until: None,
            messages: vec![first, reply, thanks],
            events: vec![
                event(EventKind::Assigned, t0 + 2 * HOUR, Some(luis), None, Some(luis)),
                event(
                    EventKind::StatusChanged,
                    t0 + 5 * HOUR + 15 * MINUTE,
                    Some(luis),
                    Some("open"),
                    Some("resolved"),
                ),
            ],
            next_reply: None,
        });

        // Yesterday: he phones, Ana answers, ships a replacement and leaves a note.
        let ana = &AGENTS[ANA];
        let call_at = now - 26 * HOUR;
        let answered = call_at + 10 * SECOND;
        let ended = answered + 4 * MINUTE + 12 * SECOND;
        let note_at = now - 25 * HOUR - 30 * MINUTE;
        let mut note = message(Direction::Outbound, MessageKind::Note, ana.name, CLAUDIO_NOTE.to_owned(), note_at);
        note.remote_id = Some("local-note-claudio-48213".to_owned());
        self.conversations.push(PlanConversation {
            customer: 0,
            account: Acct::Pbx,
            // Set to "call:<call ref>" once the calls have their references.
            remote_id: String::new(),
            channel: Channel::Voice,
            status: ConversationStatus::Resolved,
            priority: Priority::Medium,
            subject: Some("Llamada: pedido #48213 no ha llegado".to_owned()),
            assignee: Some(ana.name),
            team: Some("Soporte"),
            created_at: call_at,
            snoozed_until: None,
            messages: vec![note],
            events: vec![
                event(EventKind::Assigned, answered, Some(ana.name), None, Some(ana.name)),
                event(EventKind::StatusChanged, note_at + MINUTE, Some(ana.name), Some("open"), Some("resolved")),
            ],
            next_reply: None,
        });
        self.claudio_call = Some(PlanCall {
            call_ref: String::new(),
            direction: Direction::Inbound,
            from: Some(CLAUDIO_PHONE.to_owned()),
            to: Some(ana.extension.to_owned()),
            agent: Some(ana.endpoint),
            outcome: CallOutcome::Answered,
            started_at: call_at,
            answered_at: Some(answered),
            ended_at: Some(ended),
            hangup_cause: Some("16"),
            customer: Some(0),
            conversation: None,
            summary: Some(CLAUDIO_CALL_SUMMARY.to_owned()),
        });

        // Three minutes ago: he writes on Facebook. The newest activity of the workspace.
        let fb_at = now - 3 * MINUTE;
        self.conversations.push(PlanConversation {
            customer: 0,
            account: Acct::Chatwoot,
            remote_id: String::new(),
            channel: Channel::Facebook,
            status: ConversationStatus::Open,
            priority: Priority::Medium,
            subject: None,
            assignee: None,
            team: Some("Soporte"),
            created_at: fb_at,
            snoozed_until: None,
            messages: vec![message(
                Direction::Inbound,
                MessageKind::Message,
                CLAUDIO_NAME,
                CLAUDIO_FACEBOOK_TEXT.to_owned(),
                fb_at,
            )],
            events: Vec::new(),
            next_reply: None,
        });
    }

    fn customer(&mut self, rng: &mut Rng) {
        let now = self.now;
        // 0: Spain, 1: Latin America, 2: English-speaking.
        let origin = rng.weighted(&[60, 15, 25]);
        let (first, lasts, lang) = match origin {
            0 | 1 => {
                let first = rng.pick(if origin == 0 { text::FIRST_ES } else { text::FIRST_LATAM });
                let l1 = rng.pick(text::LAST_ES);
                let mut lasts = vec![l1];
                if rng.chance(45) {
                    let l2 = rng.pick(text::LAST_ES);
                    if l2 != l1 {
                        lasts.push(l2);
                    }
                }
                (first, lasts, Lang::Es)
            }
            _ => (rng.pick(text::FIRST_EN), vec![rng.pick(text::LAST_EN)], Lang::En),
        };
        let name = format!("{first} {}", lasts.join(" "));
        let f = text::ascii_slug(first);
        let l = text::ascii_slug(lasts[0]);

        let mut want_email = rng.chance(80);
        let want_phone = rng.chance(70);
        let social = rng
            .chance(30)
            .then(|| [IdentityKind::Facebook, IdentityKind::Instagram, IdentityKind::X][rng.weighted(&[40, 35, 25])]);
        if !want_email && !want_phone && social.is_none() {
            want_email = true;
        }

        let mut identities = Vec::new();
        let mut email_domain = None;
        if want_email {
            let domain = rng.pick(text::EMAIL_DOMAINS);
            let local = match rng.weighted(&[40, 15, 15, 15, 15]) {
                0 => format!("{f}.{l}"),
                1 => format!("{f}{l}"),
                2 => format!("{}.{l}", f.chars().next().unwrap_or('x')),
                3 => format!("{f}.{l}{}", rng.range(60, 100)),
                _ => format!("{f}_{l}"),
            };
            // Some people type their address with capitals; the identity is the same.
            let shown = if rng.chance(15) { capitalize_email_local(&local) } else { local.clone() };
            for n in 1.. {
                let raw = if n == 1 { format!("{shown}@{domain}") } else { format!("{shown}{n}@{domain}") };
                if let Some(identity) = self.claim(&raw, IdentityKind::Email) {
                    identities.push(PlanIdentity { identity, account: None });
                    email_domain = Some(domain.to_owned());
                    break;
                }
            }
        }
        let mut phone = None;
        if want_phone {
            let region = match origin {
                0 => 0,
                1 => [1, 0][rng.weighted(&[70, 30])],
                _ => [2, 0][rng.weighted(&[60, 40])],
            };
            for attempt in 0..20 {
                // A number that does not parse as valid falls back to a Spanish mobile.
                let raw = phone_number(rng, if attempt < 10 { region } else { 0 });
                if let Some(identity) = self.claim(&raw, IdentityKind::Phone) {
                    phone = Some(identity.value.clone());
                    identities.push(PlanIdentity { identity, account: None });
                    break;
                }
            }
        }
        if let Some(kind) = social {
            let nn = rng.range(1, 100);
            let base = match kind {
                IdentityKind::Facebook => {
                    if rng.chance(50) {
                        format!("{f}.{l}.{nn}")
                    } else {
                        format!("{f}.{l}")
                    }
                }
                IdentityKind::Instagram => {
                    if rng.chance(50) {
                        format!("{f}_{l}")
                    } else {
                        format!("{f}{l}{nn}")
                    }
                }
                _ => {
                    let h: String = format!("{f}{l}").chars().take(12).collect();
                    format!("@{h}{nn}")
                }
            };
            for n in 1.. {
                let raw = if n == 1 { base.clone() } else { format!("{base}{n}") };
                if let Some(identity) = self.claim(&raw, kind) {
                    identities.push(PlanIdentity { identity, account: Some(Acct::Chatwoot) });
                    break;
                }
            }
        }
        self.customers.push(PlanCustomer {
            name,
            language: lang.code(),
            created_at: now - 31 * DAY - rng.span(0, 400 * DAY),
            identities,
            first: first.to_owned(),
            lang,
            phone,
            email_domain,
        });
    }

    fn conversation(&mut self, rng: &mut Rng, customer: usize) {
        let now = self.now;
        let c = &self.customers[customer];
        let (lang, first, full) = (c.lang, c.first.clone(), c.name.clone());
        let email_domain = c.email_domain.clone().unwrap_or_else(|| "example.com".to_owned());
        let chat_weight = |ok: bool, w: u64| if ok { w } else { 0 };
        let channels = [
            (Channel::Email, chat_weight(c.has(IdentityKind::Email), 30)),
            (Channel::Chat, 18),
            (Channel::Whatsapp, chat_weight(c.has(IdentityKind::Phone), 26)),
            (Channel::Facebook, chat_weight(c.has(IdentityKind::Facebook), 30)),
            (Channel::Instagram, chat_weight(c.has(IdentityKind::Instagram), 30)),
            (Channel::X, chat_weight(c.has(IdentityKind::X), 30)),
            (Channel::Sms, chat_weight(c.has(IdentityKind::Phone), 8)),
        ];
        let channel = channels[rng.weighted(&channels.map(|(_, w)| w))].0;
        let is_email = channel == Channel::Email;
        // The first Spanish email of the demo is the hostile one (a "broken coupon" in dangerous HTML).
        let hostile = is_email && lang == Lang::Es && !self.hostile_done;
        self.hostile_done |= hostile;
        let topic_idx = if hostile { text::TOPIC_DISCOUNT } else { rng.weighted(&[18, 12, 12, 8, 8, 10, 8, 6, 8, 10]) };
        let topic = &TOPICS[topic_idx];
        let script: &Script = match lang {
            Lang::Es => &topic.es,
            Lang::En => &topic.en,
        };
        let status = [
            ConversationStatus::Open,
            ConversationStatus::Pending,
            ConversationStatus::Snoozed,
            ConversationStatus::Resolved,
        ][rng.weighted(&[28, 14, 8, 50])];
        let priority = [Priority::None, Priority::Low, Priority::Medium, Priority::High, Priority::Urgent]
            [rng.weighted(&[30, 15, 28, 17, 10])];
        let bot = matches!(channel, Channel::Chat | Channel::Whatsapp) && rng.chance(22);
        let agent = if status == ConversationStatus::Open && !bot && rng.chance(40) {
            None
        } else {
            Some(match lang {
                Lang::En if rng.chance(70) => SAM,
                _ if topic.team == "Facturación" && rng.chance(35) => LUIS,
                _ => rng.pick(&[ANA, LUIS, MARTA]),
            })
        };
        let agent = agent.map(|i| &AGENTS[i]);
        // How far into the script the conversation got.
        let slots = match status {
            ConversationStatus::Open if agent.is_none() => 1,
            ConversationStatus::Open => [1, 3][rng.weighted(&[30, 70])],
            ConversationStatus::Pending | ConversationStatus::Snoozed => [2, 4][rng.weighted(&[55, 45])],
            ConversationStatus::Resolved => [4, 5, 6][rng.weighted(&[20, 35, 45])],
        };
        let nudge = slots == 1 && (!bot || rng.chance(35));
        let wants_note = rng.chance(30);

        let order = loop {
            let o = format!("#{}", rng.range(40_000, 50_000));
            if o != CLAUDIO_ORDER {
                break o;
            }
        };
        let tracking = format!("{}{}ES", rng.pick(&["PK", "CX", "LX", "UA"]), rng.digits(9));
        let cents = rng.range(1_500, 25_000);
        let amount = match lang {
            Lang::Es => format!("{},{:02} €", cents / 100, cents % 100),
            Lang::En => format!("€{}.{:02}", cents / 100, cents % 100),
        };
        let code = rng.pick(text::DISCOUNT_CODES);
        let invoice = format!("FV-{}", rng.digits(6));
        let agent_first = agent.map_or("", |a| a.first);
        let agent_full = agent.map_or("", |a| a.name);
        let vars = [
            ("name", first.as_str()),
            ("full", full.as_str()),
            ("agent", agent_first),
            ("agent_full", agent_full),
            ("order", order.as_str()),
            ("tracking", tracking.as_str()),
            ("amount", amount.as_str()),
            ("code", code),
            ("invoice", invoice.as_str()),
        ];
        let fill = |t: &str| text::fill(t, &vars);
        let wrap_customer = |body: String| {
            if is_email {
                let sign = if lang == Lang::Es { text::SIGN_CUSTOMER_ES } else { text::SIGN_CUSTOMER_EN };
                format!("{body}\n\n{sign}\n{full}")
            } else {
                body
            }
        };
        let wrap_agent = |body: String| {
            if is_email {
                let sign = if lang == Lang::Es { text::SIGN_AGENT_ES } else { text::SIGN_AGENT_EN };
                format!("{body}\n\n{}", fill(sign))
            } else {
                body
            }
        };
        // One variant index for the whole exchange keeps answers matched to questions.
        let track = rng.index(2);
        let variant = |bank: &[&'static str]| bank.get(track).or(bank.first()).copied().unwrap_or_default();
        let slot_text = |rng: &mut Rng, slot: usize| -> String {
            match slot {
                0 => wrap_customer(fill(variant(script.open))),
                1 => wrap_agent(fill(variant(script.reply))),
                2 => wrap_customer(fill(variant(script.follow))),
                3 => wrap_agent(fill(variant(script.resolve))),
                4 => wrap_customer(fill(variant(script.thanks))),
                _ => wrap_agent(fill(rng.pick(if lang == Lang::Es { text::CLOSE_ES } else { text::CLOSE_EN }))),
            }
        };

        let fast = matches!(priority, Priority::High | Priority::Urgent);
        let mut t: i64 = 0;
        let mut messages = Vec::new();
        let mut events = Vec::new();
        let customer_msg = |text: String, at: i64| message(Direction::Inbound, MessageKind::Message, &full, text, at);

        if let (true, Some(a)) = (bot, agent) {
            let (menu, options, handoff) = match lang {
                Lang::Es => (text::BOT_MENU_ES, text::BOT_OPTIONS_ES, text::BOT_HANDOFF_ES),
                Lang::En => (text::BOT_MENU_EN, text::BOT_OPTIONS_EN, text::BOT_HANDOFF_EN),
            };
            messages.push(message(Direction::Outbound, MessageKind::Bot, BOT, menu.to_owned(), t));
            t += rng.span(15 * SECOND, 90 * SECOND);
            let option = topic.bot_option;
            let choice = if rng.chance(50) {
                option.to_string()
            } else {
                options.get(option - 1).copied().unwrap_or("4").to_owned()
            };
            messages.push(customer_msg(choice, t));
            t += rng.span(2 * SECOND, 6 * SECOND);
            messages.push(message(Direction::Outbound, MessageKind::Bot, BOT, fill(handoff), t));
            events.push(event(EventKind::Handoff, t + SECOND, Some(BOT), Some(BOT), Some(a.name)));
            events.push(event(EventKind::Assigned, t + SECOND, Some(BOT), None, Some(a.name)));
            t += rng.span(20 * SECOND, 2 * MINUTE);
        }
        let mut opening = customer_msg(slot_text(rng, 0), t);
        if hostile {
            let raw = text::fill(text::HOSTILE_EMAIL_HTML, &vars);
            opening.text = text::fill(text::HOSTILE_EMAIL_TEXT, &vars);
            opening.html = Some(html::sanitize(&raw));
        }
        messages.push(opening);
        if nudge {
            t += if is_email { rng.span(18 * HOUR, 30 * HOUR) } else { rng.span(2 * MINUTE, 15 * MINUTE) };
            let bank = match (is_email, lang) {
                (true, Lang::Es) => text::NUDGE_EMAIL_ES,
                (true, Lang::En) => text::NUDGE_EMAIL_EN,
                (false, Lang::Es) => text::NUDGE_CHAT_ES,
                (false, Lang::En) => text::NUDGE_CHAT_EN,
            };
            messages.push(customer_msg(wrap_customer(rng.pick(bank).to_owned()), t));
        }
        if matches!(priority, Priority::High | Priority::Urgent) && rng.chance(50) {
            let actor = agent.map_or(AGENTS[MARTA].name, |a| a.name);
            let from = rng.pick(&["none", "medium"]);
            events.push(event(
                EventKind::PriorityChanged,
                t + rng.span(MINUTE, 5 * MINUTE),
                Some(actor),
                Some(from),
                Some(priority.as_str()),
            ));
        }
        let mut reopened_from_pending = false;
        for slot in 1..slots {
            let agent_turn = slot % 2 == 1;
            let gap = match (agent_turn, is_email, slot) {
                (true, true, 5) => rng.span(30 * MINUTE, 3 * HOUR),
                (true, false, 5) => rng.span(MINUTE, 5 * MINUTE),
                (true, true, _) if fast => rng.span(15 * MINUTE, 90 * MINUTE),
                (true, true, _) => rng.span(HOUR, 8 * HOUR),
                (true, false, _) if fast => rng.span(MINUTE, 10 * MINUTE),
                (true, false, _) => rng.span(3 * MINUTE, 60 * MINUTE),
                (false, true, 4) => rng.span(HOUR, 6 * HOUR),
                (false, false, 4) => rng.span(MINUTE, 10 * MINUTE),
                (false, true, _) => rng.span(HOUR, 20 * HOUR),
                (false, false, _) => rng.span(MINUTE, 25 * MINUTE),
            };
            if slot == 1
                && !bot
                && let Some(a) = agent
            {
                events.push(event(EventKind::Assigned, t + gap / 3, Some(a.name), None, Some(a.name)));
            }
            t += gap;
            let text = slot_text(rng, slot);
            match (agent_turn, agent) {
                (true, Some(a)) => messages.push(message(Direction::Outbound, MessageKind::Message, a.name, text, t)),
                _ => messages.push(customer_msg(text, t)),
            }
            if reopened_from_pending && slot == 2 {
                events.push(event(EventKind::StatusChanged, t, None, Some("pending"), Some("open")));
            }
            if slot == 1 {
                if let (true, Some(a)) = (wants_note, agent) {
                    t += rng.span(MINUTE, 8 * MINUTE);
                    let notes = if a.english { topic.en.note } else { topic.es.note };
                    messages.push(message(Direction::Outbound, MessageKind::Note, a.name, fill(rng.pick(notes)), t));
                }
                if status == ConversationStatus::Open && slots == 3 && rng.chance(50) {
                    events.push(event(
                        EventKind::StatusChanged,
                        t + MINUTE,
                        Some(agent_full),
                        Some("open"),
                        Some("pending"),
                    ));
                    reopened_from_pending = true;
                }
            }
        }
        if slots == 1 && wants_note {
            // Triage before anyone answers: the assignee, or the team lead for the unassigned.
            let a = agent.unwrap_or(&AGENTS[MARTA]);
            t += rng.span(2 * MINUTE, 20 * MINUTE);
            let notes = if a.english { topic.en.note } else { topic.es.note };
            messages.push(message(Direction::Outbound, MessageKind::Note, a.name, fill(rng.pick(notes)), t));
        }
        if slots == 1
            && !bot
            && let Some(a) = agent
        {
            events.push(event(EventKind::Assigned, rng.span(MINUTE, 10 * MINUTE), None, None, Some(a.name)));
        }
        let closing = match status {
            ConversationStatus::Open => None,
            s => Some(s.as_str()),
        };
        if let Some(to) = closing {
            t += rng.span(MINUTE, 20 * MINUTE);
            events.push(event(EventKind::StatusChanged, t, Some(agent_full), Some("open"), Some(to)));
        }
        let next_reply = (status == ConversationStatus::Open && agent.is_some()).then(|| slot_text(rng, slots));

        // Place the conversation in time: it ended `age` ago.
        let span = messages.iter().map(|m| m.at).chain(events.iter().map(|e| e.at)).max().unwrap_or(0);
        let age = match status {
            ConversationStatus::Open if agent.is_none() => {
                if rng.chance(70) {
                    rng.span(6 * MINUTE, 3 * HOUR)
                } else {
                    rng.span(3 * HOUR, 2 * DAY)
                }
            }
            ConversationStatus::Open => {
                if rng.chance(70) {
                    rng.span(15 * MINUTE, DAY)
                } else {
                    rng.span(DAY, 4 * DAY)
                }
            }
            ConversationStatus::Pending => rng.span(HOUR, 5 * DAY),
            ConversationStatus::Snoozed => rng.span(2 * HOUR, 6 * DAY),
            ConversationStatus::Resolved => rng.span(3 * HOUR, 29 * DAY),
        };
        let base = now - age.max(QUIET_BEFORE_NOW) - span;
        for m in &mut messages {
            m.at += base;
        }
        for e in &mut events {
            e.at += base;
        }
        events.sort_by_key(|e| e.at);

        // Email carries Message-IDs; Chatwoot ids are handed out in time order later.
        if is_email {
            for m in &mut messages {
                m.remote_id = Some(match (m.kind, m.direction) {
                    (MessageKind::Note, _) => format!("local-note-{:012x}", rng.next_u64() >> 16),
                    (_, Direction::Inbound) => format!("<{:016x}@mail.{email_domain}>", rng.next_u64()),
                    (_, Direction::Outbound) => format!("<{:016x}.{}@tienda.example>", rng.next_u64(), self.seed),
                });
                let html_odds = if m.direction == Direction::Inbound { 35 } else { 50 };
                if m.kind == MessageKind::Message && m.html.is_none() && rng.chance(html_odds) {
                    m.html = Some(html::sanitize(&text::text_to_html(&m.text)));
                }
            }
        }
        let remote_id = if is_email {
            messages.first().and_then(|m| m.remote_id.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        let created_at = messages.first().map_or(base, |m| m.at);
        let snoozed_until = (status == ConversationStatus::Snoozed).then(|| now + rng.span(2 * HOUR, 3 * DAY));
        self.conversations.push(PlanConversation {
            customer,
            account: if is_email { Acct::Email } else { Acct::Chatwoot },
            remote_id,
            channel,
            status,
            priority,
            subject: is_email.then(|| fill(script.subject)),
            assignee: agent.map(|a| a.name),
            team: Some(topic.team),
            created_at,
            snoozed_until,
            messages,
            events,
            next_reply,
        });
    }

    fn finish(mut self) -> Plan {
        let now = self.now;
        let mut rng = Rng::new(self.seed, u64::MAX);

        // Every customer who talks through Chatwoot is a Chatwoot contact.
        let mut chatwoot_customers: Vec<usize> =
            self.conversations.iter().filter(|c| c.account == Acct::Chatwoot).map(|c| c.customer).collect();
        chatwoot_customers.sort_unstable();
        chatwoot_customers.dedup();
        for idx in chatwoot_customers {
            if idx == 0 {
                continue;
            }
            let contact = format!("{CHATWOOT_ACCOUNT_REF}:{}", CONTACT_ID_BASE + idx);
            if let Some(identity) = self.claim(&contact, IdentityKind::Contact) {
                self.customers[idx].identities.push(PlanIdentity { identity, account: Some(Acct::Chatwoot) });
            }
        }

        // A couple of replies still in the outbox and one that failed.
        self.outbox_states(&mut rng);
        // After the outbox replies, so the showcase is never one that got a reply there.
        self.sla_at_risk_showcase();

        // Creation order is id order, locally and in Chatwoot.
        let mut convs: Vec<(usize, PlanConversation)> = self.conversations.drain(..).enumerate().collect();
        convs.sort_by_key(|(i, c)| (c.created_at, *i));
        let mut conversations: Vec<PlanConversation> = convs.into_iter().map(|(_, c)| c).collect();
        let mut next_conv = rng.range(1_200, 1_600);
        for c in conversations.iter_mut().filter(|c| c.account == Acct::Chatwoot) {
            c.remote_id = next_conv.to_string();
            next_conv += rng.range(1, 4);
        }
        let mut chatwoot_messages: Vec<(i64, usize, usize)> = Vec::new();
        for (ci, c) in conversations.iter().enumerate().filter(|(_, c)| c.account == Acct::Chatwoot) {
            for (mi, m) in c.messages.iter().enumerate() {
                if m.remote_id.as_deref() == Some("") {
                    chatwoot_messages.push((m.at, ci, mi));
                }
            }
        }
        chatwoot_messages.sort_unstable();
        let mut next_msg = rng.range(48_000, 52_000);
        for (_, ci, mi) in chatwoot_messages {
            if let Some(m) = conversations.get_mut(ci).and_then(|c| c.messages.get_mut(mi)) {
                m.remote_id = Some(next_msg.to_string());
                next_msg += rng.range(1, 5);
            }
        }
        for c in &mut conversations {
            c.messages.sort_by_key(|m| m.at);
        }

        let mut calls = self.calls();
        if let Some(claudio_call) = calls.iter_mut().find(|c| c.customer == Some(0)) {
            let remote = format!("call:{}", claudio_call.call_ref);
            claudio_call.conversation = Some(remote.clone());
            if let Some(voice) = conversations.iter_mut().find(|c| c.customer == 0 && c.account == Acct::Pbx) {
                voice.remote_id = remote;
            }
        }
        // Last, so every other customer, conversation and call keeps its id and content.
        if self.customers.len() > 1 {
            conversations.push(self.claudio_duplicate());
        }
        debug_assert!(conversations.iter().flat_map(|c| &c.messages).all(|m| m.at <= now), "nothing happens after now");
        Plan { customers: self.customers, conversations, calls }
    }

    /// Identity graph: the duplicate every helpdesk has. Before the workspace region was
    /// set, the mailbox made a customer of Claudio's old work address; his phone, read
    /// from his signature, could not be parsed then and was kept as written. Hilo now
    /// suggests merging it into Claudio: the number equals his after normalization, and
    /// the name and company domain match. Adds the last customer and conversation.
    fn claudio_duplicate(&mut self) -> PlanConversation {
        let now = self.now;
        let index = self.customers.len();
        let phone = NormalizedIdentity {
            kind: IdentityKind::PhoneUnparsed,
            value: CLAUDIO_DUPLICATE_PHONE.chars().filter(|c| !c.is_whitespace()).collect(),
            display: CLAUDIO_DUPLICATE_PHONE.to_owned(),
        };
        let mut identities = Vec::new();
        if let Some(identity) = self.claim(CLAUDIO_DUPLICATE_EMAIL, IdentityKind::Email) {
            identities.push(PlanIdentity { identity, account: Some(Acct::Email) });
        }
        if self.used.insert((phone.kind, phone.value.clone())) {
            identities.push(PlanIdentity { identity: phone, account: Some(Acct::Email) });
        }
        let t0 = now - 34 * DAY - 5 * HOUR;
        self.customers.push(PlanCustomer {
            name: CLAUDIO_DUPLICATE_NAME.to_owned(),
            language: "es",
            created_at: t0,
            identities,
            first: "Claudio".to_owned(),
            lang: Lang::Es,
            phone: None,
            email_domain: Some("example.com".to_owned()),
        });
        let luis = AGENTS[LUIS].name;
        let mut ask = message(
            Direction::Inbound,
            MessageKind::Message,
            CLAUDIO_DUPLICATE_NAME,
            format!(
                "Buenas, ¿las zapatillas de running se pueden cambiar por una talla 44 si no las he usado?\n\n\
                 Claudio Perez\n{CLAUDIO_DUPLICATE_PHONE}"
            ),
            t0,
        );
        ask.remote_id = Some("<5f2e91c0.perez@example.com>".to_owned());
        let mut answer = message(
            Direction::Outbound,
            MessageKind::Message,
            luis,
            "Hola Claudio,\n\nsí: tienes 30 días para cambiarlas sin usar. Te enviamos la talla 44 y recogemos las \
             otras en la misma visita.\n\nUn saludo,\nLuis Romero\nAtención al cliente · Tienda"
                .to_owned(),
            t0 + 3 * HOUR,
        );
        answer.remote_id = Some("<20c1a77b3e.2@tienda.example>".to_owned());
        PlanConversation {
            customer: index,
            account: Acct::Email,
            remote_id: "<5f2e91c0.perez@example.com>".to_owned(),
            channel: Channel::Email,
            status: ConversationStatus::Resolved,
            priority: Priority::None,
            subject: Some("Cambio de talla".to_owned()),
            assignee: Some(luis),
            team: Some("Soporte"),
            created_at: t0,
            snoozed_until: None,
            messages: vec![ask, answer],
            events: vec![event(
                EventKind::StatusChanged,
                t0 + 3 * HOUR + MINUTE,
                Some(luis),
                Some("open"),
                Some("resolved"),
            )],
            next_reply: None,
        }
    }

    /// One open chat whose customer wrote again 8½ minutes ago, after a first reply in
    /// 3 minutes: its next-response clock (10 min, at risk at 8) is at risk the moment the
    /// demo opens, while the last five minutes stay Claudio's alone. Draws no random
    /// numbers, so the rest of the demo is unchanged by it.
    fn sla_at_risk_showcase(&mut self) {
        let now = self.now;
        let shape = [Direction::Inbound, Direction::Outbound, Direction::Inbound];
        let pick = self.conversations.iter().position(|c| {
            c.customer != 0
                && c.status == ConversationStatus::Open
                && c.assignee.is_some()
                && c.channel != Channel::Email
                && c.priority != Priority::Urgent
                && c.messages.iter().all(|m| m.kind == MessageKind::Message)
                && c.messages.iter().map(|m| m.direction).eq(shape)
                && c.events.iter().all(|e| e.kind != EventKind::StatusChanged)
        });
        let Some(c) = pick.and_then(|i| self.conversations.get_mut(i)) else { return };
        let times = [now - 30 * MINUTE, now - 27 * MINUTE, now - 8 * MINUTE - 30 * SECOND];
        for (m, at) in c.messages.iter_mut().zip(times) {
            m.at = at;
        }
        c.created_at = times[0];
        for e in &mut c.events {
            e.at = e.at.clamp(times[0], times[2]);
        }
        c.events.sort_by_key(|e| e.at);
    }

    fn outbox_states(&mut self, rng: &mut Rng) {
        let now = self.now;
        let mut eligible: Vec<(i64, usize)> = self
            .conversations
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.customer != 0
                    && c.status == ConversationStatus::Open
                    && c.assignee.is_some()
                    && c.next_reply.is_some()
            })
            .filter_map(|(i, c)| {
                let last = c.last_message()?;
                (last.direction == Direction::Inbound && last.at <= now - 10 * MINUTE).then_some((last.at, i))
            })
            .collect();
        // The most recent first: "I answered a minute ago and it hasn't gone yet". The
        // failed one prefers WhatsApp or SMS, where a closed 24-hour window rejects replies.
        eligible.sort_by_key(|&(at, i)| (std::cmp::Reverse(at), i));
        let mut picked: Vec<((i64, usize), DeliveryState)> =
            eligible.iter().take(2).map(|&e| (e, DeliveryState::Pending)).collect();
        let rest = eligible.get(picked.len()..).unwrap_or_default();
        let messaging = |&&(_, i): &&(i64, usize)| {
            self.conversations.get(i).is_some_and(|c| matches!(c.channel, Channel::Whatsapp | Channel::Sms))
        };
        if let Some(&e) = rest.iter().find(messaging).or(rest.first()) {
            picked.push((e, DeliveryState::Failed));
        }
        for ((last_at, i), delivery) in picked {
            let Some(c) = self.conversations.get_mut(i) else { continue };
            let (Some(author), Some(text)) = (c.assignee, c.next_reply.take()) else { continue };
            let at = (last_at + rng.span(2 * MINUTE, 9 * MINUTE)).min(now - QUIET_BEFORE_NOW);
            let mut m = message(Direction::Outbound, MessageKind::Message, author, text, at);
            m.remote_id = None;
            m.delivery = delivery;
            c.messages.push(m);
        }
    }

    fn calls(&mut self) -> Vec<PlanCall> {
        let now = self.now;
        let mut rng = Rng::new(self.seed, u64::MAX - 1);
        let n = self.customers.len();
        let target = (n * 3 / 10).max(1);
        let unknown = if n >= 20 { 2 } else { 0 };
        let with_phone: Vec<usize> = (1..n).filter(|&i| self.customers[i].phone.is_some()).collect();
        let mut calls: Vec<PlanCall> = self.claudio_call.take().into_iter().collect();
        // Calls come in office hours (Madrid, taken as UTC+1) over the last 30 days.
        let local_midnight = (now + HOUR).div_euclid(DAY) * DAY - HOUR;
        let start_time = |rng: &mut Rng| {
            let day = rng.range(0, 30);
            let mut at = local_midnight - day * DAY + 9 * HOUR + rng.span(0, 10 * HOUR);
            while at > now - 20 * MINUTE {
                at -= DAY;
            }
            at
        };
        let random = target.saturating_sub(1 + unknown);
        for i in 0..random + unknown {
            let customer = if i < random {
                if with_phone.is_empty() {
                    break;
                }
                Some(with_phone[rng.index(with_phone.len())])
            } else {
                None
            };
            let number = match customer.and_then(|c| self.customers[c].phone.clone()) {
                Some(p) => p,
                None => loop {
                    let raw = format!("6{}", rng.digits(8));
                    if let Some(n) = self.claim(&raw, IdentityKind::Phone) {
                        // An unknown caller: nobody owns the number, so release it again.
                        self.used.remove(&(n.kind, n.value.clone()));
                        break n.value;
                    }
                },
            };
            let lang = customer.map_or(Lang::Es, |c| self.customers[c].lang);
            let kind = if customer.is_none() { [0, 1][i % 2] } else { rng.weighted(&[48, 24, 6, 14, 8]) };
            let agent = &AGENTS[match lang {
                Lang::En if rng.chance(60) => SAM,
                _ => [ANA, ANA, LUIS, MARTA][rng.index(4)],
            }];
            let started_at = start_time(&mut rng);
            let summary = |rng: &mut Rng| {
                let topic = &TOPICS[rng.index(TOPICS.len())];
                let order = format!("#{}", rng.range(40_000, 50_000));
                let code = rng.pick(text::DISCOUNT_CODES);
                let s = if lang == Lang::Es { topic.es.summary } else { topic.en.summary };
                text::fill(s, &[("order", order.as_str()), ("code", code)])
            };
            let call = match kind {
                // Inbound, answered.
                0 => {
                    let answered = started_at + rng.span(4 * SECOND, 25 * SECOND);
                    PlanCall {
                        call_ref: String::new(),
                        direction: Direction::Inbound,
                        from: Some(number),
                        to: Some(agent.extension.to_owned()),
                        agent: Some(agent.endpoint),
                        outcome: CallOutcome::Answered,
                        started_at,
                        answered_at: Some(answered),
                        ended_at: Some(answered + rng.span(30 * SECOND, 15 * MINUTE)),
                        hangup_cause: Some("16"),
                        customer,
                        conversation: None,
                        summary: (customer.is_some() && rng.chance(60)).then(|| summary(&mut rng)),
                    }
                }
                // Inbound, missed or busy: nobody picked up.
                1 | 2 => {
                    let busy = kind == 2;
                    let ring = if busy { rng.span(SECOND, 3 * SECOND) } else { rng.span(12 * SECOND, 45 * SECOND) };
                    PlanCall {
                        call_ref: String::new(),
                        direction: Direction::Inbound,
                        from: Some(number),
                        to: Some(agent.extension.to_owned()),
                        agent: None,
                        outcome: if busy { CallOutcome::Busy } else { CallOutcome::Missed },
                        started_at,
                        answered_at: None,
                        ended_at: Some(started_at + ring),
                        hangup_cause: Some(if busy {
                            "17"
                        } else if rng.chance(70) {
                            "19"
                        } else {
                            "16"
                        }),
                        customer,
                        conversation: None,
                        summary: None,
                    }
                }
                // Outbound, answered (a callback).
                3 => {
                    let answered = started_at + rng.span(5 * SECOND, 20 * SECOND);
                    PlanCall {
                        call_ref: String::new(),
                        direction: Direction::Outbound,
                        from: Some(agent.extension.to_owned()),
                        to: Some(number),
                        agent: Some(agent.endpoint),
                        outcome: CallOutcome::Answered,
                        started_at,
                        answered_at: Some(answered),
                        ended_at: Some(answered + rng.span(MINUTE, 10 * MINUTE)),
                        hangup_cause: Some("16"),
                        customer,
                        conversation: None,
                        summary: rng.chance(40).then(|| summary(&mut rng)),
                    }
                }
                // Outbound, not connected.
                _ => PlanCall {
                    call_ref: String::new(),
                    direction: Direction::Outbound,
                    from: Some(agent.extension.to_owned()),
                    to: Some(number),
                    agent: Some(agent.endpoint),
                    outcome: CallOutcome::Failed,
                    started_at,
                    answered_at: None,
                    ended_at: Some(started_at + rng.span(20 * SECOND, 40 * SECOND)),
                    hangup_cause: Some(if rng.chance(60) { "19" } else { "21" }),
                    customer,
                    conversation: None,
                    summary: None,
                },
            };
            calls.push(call);
        }
        // Asterisk's Linkedid: the start in Unix seconds, a dot, and a growing sequence.
        let mut order: Vec<(i64, usize)> = calls.iter().enumerate().map(|(i, c)| (c.started_at, i)).collect();
        order.sort_unstable();
        let mut seq = rng.range(60, 400);
        let mut sorted = Vec::with_capacity(calls.len());
        let mut slots: Vec<Option<PlanCall>> = calls.into_iter().map(Some).collect();
        for (_, i) in order {
            if let Some(mut call) = slots.get_mut(i).and_then(Option::take) {
                call.call_ref = format!("{}.{seq}", call.started_at.div_euclid(SECOND));
                seq += rng.range(1, 6);
                sorted.push(call);
            }
        }
        sorted
    }
}

fn capitalize_email_local(local: &str) -> String {
    let mut out = String::with_capacity(local.len());
    let mut upper = true;
    for ch in local.chars() {
        out.push(if upper { ch.to_ascii_uppercase() } else { ch });
        upper = matches!(ch, '.' | '_');
    }
    out
}

/// A phone number as a person would type it. Region 0: Spanish mobile, 1: Mexico City,
/// 2: UK mobile.
fn phone_number(rng: &mut Rng, region: usize) -> String {
    match region {
        1 => {
            let d = rng.digits(8);
            let (a, b) = d.split_at(4);
            match rng.index(3) {
                0 => format!("+52 55 {a} {b}"),
                1 => format!("+52 (55) {a}-{b}"),
                _ => format!("0052 55{d}"),
            }
        }
        2 => {
            let d = format!("74{}{}", rng.pick(&['0', '1', '2', '3', '4']), rng.digits(7));
            let (a, b) = d.split_at(4);
            match rng.index(3) {
                0 => format!("+44 {a} {b}"),
                1 => format!("0044 {d}"),
                _ => format!("+44{d}"),
            }
        }
        _ => {
            let d = format!("6{}", rng.digits(8));
            let (p3, rest) = d.split_at(3);
            let (m3, l3) = rest.split_at(3);
            let (a2, rest2) = rest.split_at(2);
            let (b2, c2) = rest2.split_at(2);
            match rng.index(7) {
                0 => format!("{p3} {a2} {b2} {c2}"),
                1 => format!("+34 {p3}-{m3}-{l3}"),
                2 => format!("0034 {p3} {m3} {l3}"),
                3 => format!("+34 {p3} {m3} {l3}"),
                4 => d.clone(),
                5 => format!("+34{d}"),
                _ => format!("{p3}.{m3}.{l3}"),
            }
        }
    }
}

/// Spanish national holidays of `year` as (YYYY-MM-DD, name), Good Friday included.
pub(super) fn spanish_holidays(year: i16) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> =
        text::FIXED_HOLIDAYS.iter().map(|&(m, d, name)| (format!("{year:04}-{m:02}-{d:02}"), name)).collect();
    let (m, d) = good_friday(i32::from(year));
    out.push((format!("{year:04}-{m:02}-{d:02}"), "Viernes Santo"));
    out.sort();
    out
}

/// Good Friday (month, day): two days before Easter Sunday (anonymous Gregorian algorithm).
fn good_friday(y: i32) -> (i32, i32) {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    if day > 2 { (month, day - 2) } else { (month - 1, 31 + day - 2) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phone_spelling_normalizes_to_e164() {
        let mut rng = Rng::new(1, 2);
        for region in 0..3 {
            for _ in 0..200 {
                let raw = phone_number(&mut rng, region);
                let n = normalize_identity(IdentityInput { kind: IdentityKind::Phone, raw: &raw }, es());
                assert_eq!(n.kind, IdentityKind::Phone, "{raw:?} must be a valid number");
                let prefix = ["+346", "+5255", "+447"][region];
                assert!(n.value.starts_with(prefix), "{raw:?} → {}", n.value);
            }
        }
    }

    #[test]
    fn good_friday_matches_the_calendar() {
        assert_eq!(good_friday(2024), (3, 29));
        assert_eq!(good_friday(2025), (4, 18));
        assert_eq!(good_friday(2026), (4, 3));
        assert_eq!(good_friday(2027), (3, 26));
        let h = spanish_holidays(2026);
        assert_eq!(h.len(), 10);
        assert!(h.contains(&("2026-04-03".to_owned(), "Viernes Santo")));
        assert_eq!(h[0], ("2026-01-01".to_owned(), "Año Nuevo"));
    }

    #[test]
    fn rng_is_stable_and_bounded() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 1);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8, 1).next_u64(), Rng::new(7, 1).next_u64());
        for _ in 0..1000 {
            let r = a.range(-5, 5);
            assert!((-5..5).contains(&r));
        }
        assert_eq!(a.range(3, 3), 3);
    }
}
