-- Shared mailboxes: the mail facts kept beside a message, its attachments' metadata,
-- and the thread index that ties Message-IDs to conversations.

-- Attachments of any message (mail today). Metadata only: the content stays on the server.
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

-- RFC 5322 headers of a mail message (one row per message).
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

-- Every Message-ID a mail account has seen named (a message's own id, its In-Reply-To
-- and References) → the conversation it belongs to. A reply whose parent is cached, or
-- a parent whose reply came first, finds its thread here across pages and syncs.
CREATE TABLE mail_thread_ids (
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    thread_id       TEXT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, thread_id)
) WITHOUT ROWID;
CREATE INDEX mail_thread_ids_conversation ON mail_thread_ids(conversation_id);
