-- The admin stats' active users (whose `last_active_at` falls in the last 24 hours), kept
-- in `tenant_counts` instead of counted on every reading, which ranged over every active
-- user of the tenant. Each user is counted once, in the bucket of the UTC hour of their
-- last activity (figure 'active', key1 the hour's start in milliseconds, zero-padded to 15
-- digits so the text order of the keys is their numeric order and a reading takes a range
-- of the primary key). When activity moves a user into a later hour, the old bucket loses
-- them and the new one gains them; it moves at most once an hour per user, not on every
-- send. A reading sums the buckets after the window's first hour and counts, by the users'
-- index, the users of that one partial hour: exact at every moment.
INSERT INTO tenant_counts (tenant_id, figure, key1, n)
SELECT tenant_id, 'active', printf('%015d', last_active_at - last_active_at % 3600000), COUNT(*)
  FROM users WHERE last_active_at IS NOT NULL GROUP BY 1, 3;

CREATE TRIGGER tenant_active_moved AFTER UPDATE OF last_active_at ON users
WHEN (old.last_active_at - old.last_active_at % 3600000) IS NOT (new.last_active_at - new.last_active_at % 3600000) BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    SELECT old.tenant_id, 'active', printf('%015d', old.last_active_at - old.last_active_at % 3600000), -1
     WHERE old.last_active_at IS NOT NULL
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    SELECT new.tenant_id, 'active', printf('%015d', new.last_active_at - new.last_active_at % 3600000), 1
     WHERE new.last_active_at IS NOT NULL
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tenant_active_created AFTER INSERT ON users WHEN new.last_active_at IS NOT NULL BEGIN
    INSERT INTO tenant_counts (tenant_id, figure, key1, n)
    VALUES (new.tenant_id, 'active', printf('%015d', new.last_active_at - new.last_active_at % 3600000), 1)
    ON CONFLICT (tenant_id, figure, key1, key2) DO UPDATE SET n = n + excluded.n;
END;
