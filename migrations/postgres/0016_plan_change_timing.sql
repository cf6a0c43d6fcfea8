-- A package change applies now (prorated) or at the start of the next billing period. An
-- approved next-cycle change waits with apply_on (the first day of the next period) until the
-- billing job applies it and sets applied_at, exactly once across replicas.
ALTER TABLE package_change_requests ADD COLUMN effective TEXT NOT NULL DEFAULT 'now'
    CHECK (effective IN ('now', 'next_cycle'));
ALTER TABLE package_change_requests ADD COLUMN apply_on TEXT;
ALTER TABLE package_change_requests ADD COLUMN applied_at TEXT;
CREATE INDEX package_change_requests_waiting ON package_change_requests(apply_on)
    WHERE applied_at IS NULL AND apply_on IS NOT NULL;
-- Requests approved before this migration were applied at their decision.
UPDATE package_change_requests SET applied_at = decided_at WHERE status = 'approved';
