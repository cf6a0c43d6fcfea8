-- The version of what FreeRADIUS's authorize reads (SQLite). Keep in step with
-- migrations/postgres/0009_aaa_versions_and_totals.sql.
--
-- Every control plane answers Access-Requests from a table in memory (aaa/pppoe_logins.rs).
-- These triggers count each write to the columns authorize reads, whoever makes it (any
-- replica, a restore, an operator's SQL), so a control plane reloads when the count moves.
-- Columns authorize does not read (contact details, credit, last_auth_*) do not count.
CREATE TABLE aaa_subscriber_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO aaa_subscriber_version (id, version) VALUES (1, 0);

CREATE TRIGGER customers_aaa_insert AFTER INSERT ON customers
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_aaa_delete AFTER DELETE ON customers
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_aaa_update
AFTER UPDATE OF status, expiry_date, package_id, pppoe_username ON customers
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER packages_aaa_delete AFTER DELETE ON packages
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER packages_aaa_update
AFTER UPDATE OF download_speed, upload_speed, speed_unit ON packages
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER pppoe_accounts_aaa_insert AFTER INSERT ON pppoe_accounts
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pppoe_accounts_aaa_delete AFTER DELETE ON pppoe_accounts
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER pppoe_accounts_aaa_update
AFTER UPDATE OF password_sealed, static_ip_address ON pppoe_accounts
BEGIN UPDATE aaa_subscriber_version SET version = version + 1 WHERE id = 1; END;

-- Which source a subscriber's traffic totals follow. While the subscriber has an open RADIUS
-- session (1), accounting octets move network_state's totals and agent ingest adds nothing;
-- otherwise (0) agent counters do. Set with the session state by accounting.
ALTER TABLE network_state ADD COLUMN accounting_session_open INTEGER NOT NULL DEFAULT 0;
UPDATE network_state SET accounting_session_open = 1
WHERE customer_id IN (SELECT customer_id FROM radius_sessions WHERE stopped_at IS NULL);
