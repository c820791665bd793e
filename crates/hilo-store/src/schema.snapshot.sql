-- index calls_customer_at
CREATE INDEX calls_customer_at ON calls(customer_id, started_at DESC, id DESC);

-- index calls_identity
CREATE INDEX calls_identity ON calls(identity_id);

-- index conversations_activity
CREATE INDEX conversations_activity ON conversations(last_activity_at DESC, id DESC);

-- index conversations_customer
CREATE INDEX conversations_customer ON conversations(customer_id);

-- index conversations_identity
CREATE INDEX conversations_identity ON conversations(identity_id);

-- index conversations_status_activity
CREATE INDEX conversations_status_activity ON conversations(status, last_activity_at DESC, id DESC);

-- index customer_merges_source
CREATE INDEX customer_merges_source ON customer_merges(source_id);

-- index customer_merges_target
CREATE INDEX customer_merges_target ON customer_merges(target_id);

-- index customers_merged_into
CREATE INDEX customers_merged_into ON customers(merged_into);

-- index customers_name
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);

-- index identities_customer
CREATE INDEX identities_customer ON identities(customer_id);

-- index mail_thread_ids_conversation
CREATE INDEX mail_thread_ids_conversation ON mail_thread_ids(conversation_id);

-- index messages_conversation_at
CREATE INDEX messages_conversation_at ON messages(conversation_id, created_at DESC, id DESC);

-- index outbox_due
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- index outbox_message
CREATE INDEX outbox_message ON outbox(message_id);

-- index timeline_events_conversation
CREATE INDEX timeline_events_conversation ON timeline_events(conversation_id);

-- index timeline_events_customer_at
CREATE INDEX timeline_events_customer_at ON timeline_events(customer_id, at DESC, id DESC);

-- table accounts
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,           -- chatwoot | email | ami | esl | cti_webhook
    config      TEXT NOT NULL DEFAULT '{}', -- JSON, never secrets (those live in the keychain)
    created_at  INTEGER NOT NULL
);

-- table attachments
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,       -- order in the message, from 0
    filename     TEXT,                   -- as the sender named it: display only, never a path
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,       -- bytes, decoded
    inline       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (message_id, position)
);

-- table calendars
CREATE TABLE calendars (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    time_zone    TEXT NOT NULL,          -- IANA name, e.g. Europe/Madrid
    weekly_hours TEXT NOT NULL           -- JSON: {"mon":[["09:00","14:00"],["15:00","18:00"]], …}
);

-- table calls
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    call_ref        TEXT NOT NULL,       -- Linkedid (AMI), Channel-Call-UUID (ESL), callId (CTI)
    direction       TEXT NOT NULL,
    from_number     TEXT,
    to_number       TEXT,
    agent           TEXT,
    outcome         TEXT NOT NULL,       -- ringing | answered | missed | busy | failed
    started_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    ended_at        INTEGER,
    hangup_cause    TEXT,
    customer_id     INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    summary         TEXT,
    origin          TEXT NOT NULL, identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL,
    UNIQUE (account_id, call_ref)
);

-- table conversations
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    remote_id        TEXT NOT NULL,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,      -- open | pending | snoozed | resolved
    priority         TEXT NOT NULL DEFAULT 'none',
    subject          TEXT,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    assignee         TEXT,
    team             TEXT,
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    snoozed_until    INTEGER,
    remote_updated_at INTEGER, identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL, backend_sla TEXT,
    UNIQUE (account_id, remote_id)
);

-- table customer_merge_moves
CREATE TABLE customer_merge_moves (
    merge_id INTEGER NOT NULL REFERENCES customer_merges(id) ON DELETE CASCADE,
    item     TEXT NOT NULL,                    -- identity | conversation | call | event
    item_id  INTEGER NOT NULL,
    PRIMARY KEY (merge_id, item, item_id)
) WITHOUT ROWID;

-- table customer_merges
CREATE TABLE customer_merges (
    id                INTEGER PRIMARY KEY,
    target_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    source_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    merged_at         INTEGER NOT NULL,
    merged_by         TEXT,
    evidence          TEXT NOT NULL DEFAULT '[]', -- JSON: [MergeEvidence]
    source_name       TEXT NOT NULL,
    source_language   TEXT,
    source_created_at INTEGER NOT NULL,
    source_updated_at INTEGER NOT NULL,
    unmerged_at       INTEGER,
    unmerged_by       TEXT,
    origin            TEXT NOT NULL
);

-- table customers
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    language    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
, merged_into INTEGER REFERENCES customers(id));

-- table holidays
CREATE TABLE holidays (
    id          INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    date        TEXT NOT NULL,           -- YYYY-MM-DD in the calendar's time zone
    name        TEXT NOT NULL,
    UNIQUE (calendar_id, date)
);

-- table identities
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,           -- email | phone | phone_unparsed | contact | facebook | …
    value       TEXT NOT NULL,           -- normalized (lowercase email, E.164, account:contact ref)
    display     TEXT NOT NULL,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, value)
);

-- table mail_headers
CREATE TABLE mail_headers (
    message_id   INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    rfc_id       TEXT NOT NULL,          -- Message-ID without brackets (= messages.remote_id)
    synthetic_id INTEGER NOT NULL DEFAULT 0, -- 1: the message had none; rfc_id is a hash
    in_reply_to  TEXT NOT NULL DEFAULT '[]', -- JSON arrays of Message-IDs / addresses
    refs         TEXT NOT NULL DEFAULT '[]', -- References, oldest first
    from_addr    TEXT,                   -- case-folded
    reply_to     TEXT NOT NULL DEFAULT '[]',
    to_addrs     TEXT NOT NULL DEFAULT '[]',
    cc_addrs     TEXT NOT NULL DEFAULT '[]',
    subject      TEXT,
    flags        TEXT NOT NULL DEFAULT '[]' -- IMAP flags as last synced
);

-- table mail_thread_ids
CREATE TABLE mail_thread_ids (
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    thread_id       TEXT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, thread_id)
) WITHOUT ROWID;

-- table merge_dismissals
CREATE TABLE merge_dismissals (
    customer_lo  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    customer_hi  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    dismissed_at INTEGER NOT NULL,
    dismissed_by TEXT,
    PRIMARY KEY (customer_lo, customer_hi),
    CHECK (customer_lo < customer_hi)
) WITHOUT ROWID;

-- table messages
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    remote_id       TEXT,                -- NULL while a local reply waits in the outbox
    direction       TEXT NOT NULL,       -- inbound | outbound
    kind            TEXT NOT NULL,       -- message | note | bot | system
    author          TEXT,
    text            TEXT NOT NULL,       -- plain text, what search and the UI show
    html            TEXT,                -- sanitized (ammonia) before it is stored
    delivery        TEXT NOT NULL DEFAULT 'delivered', -- delivered | pending | failed
    created_at      INTEGER NOT NULL,
    origin          TEXT NOT NULL,
    UNIQUE (conversation_id, remote_id)
);

-- table messages_fts
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- table outbox
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id      INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    action          TEXT NOT NULL,       -- reply | note | status | assign
    payload         TEXT NOT NULL,       -- JSON
    state           TEXT NOT NULL DEFAULT 'queued', -- queued | sending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL
);

-- table settings
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                  -- JSON
);

-- table sla_alerts
CREATE TABLE sla_alerts (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    metric          TEXT NOT NULL,       -- first_response | next_response | resolution | callback
    cycle           INTEGER NOT NULL,
    level           TEXT NOT NULL,       -- at_risk | breached
    due_at          INTEGER NOT NULL,
    fired_at        INTEGER NOT NULL,
    acknowledged_at INTEGER,
    snoozed_until   INTEGER,
    UNIQUE (conversation_id, metric, cycle, level)
);

-- table sla_policies
CREATE TABLE sla_policies (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    position            INTEGER NOT NULL, -- first matching policy wins
    match_priorities    TEXT NOT NULL DEFAULT '[]', -- JSON arrays; empty = any
    match_channels      TEXT NOT NULL DEFAULT '[]',
    match_accounts      TEXT NOT NULL DEFAULT '[]',
    first_response_secs INTEGER,
    next_response_secs  INTEGER,
    resolution_secs     INTEGER,
    calendar_id         INTEGER REFERENCES calendars(id) ON DELETE SET NULL, -- NULL = 24/7
    pause_when_pending  INTEGER NOT NULL DEFAULT 1,
    at_risk_percent     INTEGER NOT NULL DEFAULT 80
);

-- table snippets
CREATE TABLE snippets (
    id          INTEGER PRIMARY KEY,
    shortcut    TEXT NOT NULL,
    language    TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (shortcut, language)
);

-- table sync_state
CREATE TABLE sync_state (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    cursor      TEXT,
    state       TEXT NOT NULL DEFAULT 'idle', -- idle | syncing | offline | error
    last_error  TEXT,
    last_sync_at INTEGER,
    updated_at  INTEGER NOT NULL
);

-- table timeline_events
CREATE TABLE timeline_events (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,       -- status_changed | assigned | handoff | merged | sla_alert …
    at              INTEGER NOT NULL,
    actor           TEXT,
    from_value      TEXT,
    to_value        TEXT,
    data            TEXT NOT NULL DEFAULT '{}',
    origin          TEXT NOT NULL
);
