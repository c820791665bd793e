-- Identity graph, schema 2: merges that can be undone exactly, dismissed suggestions,
-- and the identity each conversation and call was linked to its customer through.

-- A merged customer is hidden, never deleted: its id stays valid for links, and an
-- unmerge brings it back as it was.
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);
CREATE INDEX customers_merged_into ON customers(merged_into);

-- The identity that linked the row to its customer (sync: the helpdesk contact;
-- telephony: the caller's phone). After a merge, new rows for the source customer's
-- identities land on the target; an unmerge sends them back along this link.
ALTER TABLE conversations ADD COLUMN identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL;
ALTER TABLE calls ADD COLUMN identity_id INTEGER REFERENCES identities(id) ON DELETE SET NULL;
CREATE INDEX conversations_identity ON conversations(identity_id);
CREATE INDEX calls_identity ON calls(identity_id);

-- One row per merge of `source` into `target`, with the source's own row as it was.
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
CREATE INDEX customer_merges_target ON customer_merges(target_id);
CREATE INDEX customer_merges_source ON customer_merges(source_id);

-- Exactly which rows a merge moved, by id.
CREATE TABLE customer_merge_moves (
    merge_id INTEGER NOT NULL REFERENCES customer_merges(id) ON DELETE CASCADE,
    item     TEXT NOT NULL,                    -- identity | conversation | call | event
    item_id  INTEGER NOT NULL,
    PRIMARY KEY (merge_id, item, item_id)
) WITHOUT ROWID;

-- Suggestions an agent said no to, per pair of customers (lower id first).
CREATE TABLE merge_dismissals (
    customer_lo  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    customer_hi  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    dismissed_at INTEGER NOT NULL,
    dismissed_by TEXT,
    PRIMARY KEY (customer_lo, customer_hi),
    CHECK (customer_lo < customer_hi)
) WITHOUT ROWID;

