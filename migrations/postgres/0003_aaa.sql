-- AAA for PPPoE through FreeRADIUS (PostgreSQL). Keep in step with migrations/sqlite/0003_aaa.sql.

-- A subscriber's PPPoE credentials and fixed address. The username is customers.pppoe_username.
-- The password is sealed (AES-256-GCM with the key from [aaa] password_key, the customer id as
-- associated data) because CHAP needs the clear text back: "v1:<nonce hex>:<ciphertext hex>".
-- The last_auth_* columns record the newest Access-Accept or Access-Reject, for support staff.
CREATE TABLE pppoe_accounts (
    customer_id                   TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    password_sealed               TEXT,
    static_ip_address             TEXT UNIQUE,
    last_auth_at                  TEXT,
    last_auth_result              TEXT CHECK (last_auth_result IN ('accept', 'reject')),
    last_auth_nas                 TEXT,
    last_auth_calling_station_id  TEXT,
    updated_at                    TEXT NOT NULL
);

-- One row per PPPoE session seen in RADIUS accounting, keyed by the NAS (its NAS-IP-Address,
-- else its NAS-Identifier) and Acct-Session-Id. At most one open row (stopped_at NULL) per key;
-- a NAS that reuses session ids after a restart gets a new row. Octets are the NAS's view:
-- input = the subscriber's upload, output = the subscriber's download, gigawords folded in.
-- `version` increases on every write, so concurrent packets of one session never lose a write.
CREATE TABLE radius_sessions (
    id                  TEXT PRIMARY KEY,
    nas_key             TEXT NOT NULL,
    acct_session_id     TEXT NOT NULL,
    nas_ip_address      TEXT,
    nas_identifier      TEXT,
    username            TEXT NOT NULL,
    customer_id         TEXT REFERENCES customers(id) ON DELETE SET NULL,
    framed_ip_address   TEXT,
    calling_station_id  TEXT,
    started_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    stopped_at          TEXT,
    input_octets        BIGINT NOT NULL DEFAULT 0,
    output_octets       BIGINT NOT NULL DEFAULT 0,
    session_time_secs   BIGINT NOT NULL DEFAULT 0,
    terminate_cause     TEXT,
    close_reason        TEXT CHECK (close_reason IN ('stop', 'stale', 'nas-restart')),
    version             BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX radius_sessions_open ON radius_sessions(nas_key, acct_session_id)
    WHERE stopped_at IS NULL;
CREATE INDEX radius_sessions_key ON radius_sessions(nas_key, acct_session_id, started_at);
CREATE INDEX radius_sessions_customer ON radius_sessions(customer_id, started_at);
CREATE INDEX radius_sessions_last_update ON radius_sessions(updated_at) WHERE stopped_at IS NULL;
