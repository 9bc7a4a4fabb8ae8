-- Lookups that let a reader's reads cost in proportion to the reader's own rows.
--
-- The deleted conversations, usually few: a member's list, its total and its unread counts
-- leave them out by probing this index (an anti-join), instead of joining every membership
-- with its conversation, which the planner answers with a scan of all the tenant's
-- conversations once a reader has thousands of memberships.
CREATE INDEX conversations_deleted ON conversations (id) WHERE deleted_at IS NOT NULL;

-- A viewer's hidden messages, so a history's total subtracts them from the range of seqs
-- (which has no gaps) instead of testing every message of the conversation.
CREATE INDEX hidden_messages_by_user ON hidden_messages (user_id, message_id);
