-- The composer (issue 3): the timeline shows each outgoing message's open outbox item
-- (retry / edit / discard), found by message id.
CREATE INDEX outbox_message ON outbox(message_id);
