-- API keys for staff scripts: each acts with one staff role on behalf of the admin who made
-- it (and stops working when that account is disabled). Only the SHA-256 of the key is kept;
-- the key itself is shown once, at creation. prefix is its first characters, for telling
-- keys apart in lists.
-- Keep in step with migrations/postgres/0011_billing2_api_keys.sql.
CREATE TABLE staff_api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES staff_users(id),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
