-- API keys of customers (seeds 002 and 003): a business customer's scripts call the customer
-- API as that customer, within the key's scopes (space-separated: read, devices, billing,
-- support). Made by the customer or by staff for them (created_by_kind); only the SHA-256 of
-- the key is kept, the key itself is shown once. prefix is its first characters, for lists.
-- expires_at NULL means the key does not expire. request_count counts the requests it served.
-- Keep in step with migrations/postgres/0013_customer_api_keys.sql.
CREATE TABLE customer_api_keys (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    name             TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    key_hash         TEXT NOT NULL UNIQUE,
    scopes           TEXT NOT NULL,
    created_by_kind  TEXT NOT NULL CHECK (created_by_kind IN ('customer', 'staff')),
    created_by_id    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT,
    last_used_at     TEXT,
    request_count    INTEGER NOT NULL DEFAULT 0,
    revoked_at       TEXT
);
CREATE INDEX customer_api_keys_customer ON customer_api_keys(customer_id, created_at);

-- Requests served to a customer's API keys per calendar month (UTC, month = 'YYYY-MM'), for
-- the usage statistics.
CREATE TABLE api_request_months (
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    month          TEXT NOT NULL,
    request_count  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, month)
);
