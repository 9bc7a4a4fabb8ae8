-- The admin stats' active users (whose `last_active_at` falls in the last 24 hours), kept
-- in `tenant_counts` instead of counted on every reading, which ranged over every active
-- user of the tenant. Each user is counted once, in the bucket of the UTC hour of their
-- last activity (figure 'active', key1 the hour's start in milliseconds, zero-padded to 15
-- digits so the text order of the keys is their numeric order and a reading takes a range
-- of the index). When activity moves a user into a later hour, the old bucket loses them
-- and the new one gains them; it moves at most once an hour per user, not on every send.
-- A reading sums the buckets after the window's first hour and counts, by the users'
-- index, the users of that one partial hour: exact at every moment. Rows are appended and
-- folded like the other figures (migration `tenant_counters`).
INSERT INTO tenant_counts (tenant_id, figure, key1, n, folded)
SELECT tenant_id, 'active', lpad(CAST(last_active_at - last_active_at % 3600000 AS TEXT), 15, '0'), COUNT(*), true
  FROM users WHERE last_active_at IS NOT NULL GROUP BY 1, 3;

CREATE FUNCTION tenant_active_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    SELECT OLD.tenant_id, 'active', lpad(CAST(OLD.last_active_at - OLD.last_active_at % 3600000 AS TEXT), 15, '0'), -1
     WHERE TG_OP = 'UPDATE' AND OLD.last_active_at IS NOT NULL
    UNION ALL
    SELECT NEW.tenant_id, 'active', lpad(CAST(NEW.last_active_at - NEW.last_active_at % 3600000 AS TEXT), 15, '0'), 1
     WHERE NEW.last_active_at IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_active_moved AFTER UPDATE OF last_active_at ON users FOR EACH ROW
    WHEN ((OLD.last_active_at - OLD.last_active_at % 3600000) IS DISTINCT FROM (NEW.last_active_at - NEW.last_active_at % 3600000))
    EXECUTE FUNCTION tenant_active_moved();
CREATE TRIGGER tenant_active_created AFTER INSERT ON users FOR EACH ROW
    WHEN (NEW.last_active_at IS NOT NULL)
    EXECUTE FUNCTION tenant_active_moved();
