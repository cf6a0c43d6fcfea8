-- netops core schema (SQLite). Keep in step with migrations/postgres/0001_core.sql.
-- Money is integer minor units (*_minor). Timestamps are UTC RFC 3339 text with millisecond
-- precision ("2026-01-03T10:00:00.000Z"), which sorts correctly as text. Dates are "YYYY-MM-DD".
-- Booleans are integers 0/1 so both backends decode them the same way.

CREATE TABLE areas (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    district    TEXT,
    upazila     TEXT,
    union_name  TEXT,
    village     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE packages (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT,
    package_type    TEXT NOT NULL CHECK (package_type IN ('internet', 'voice', 'recurring', 'bundle')),
    download_speed  INTEGER NOT NULL,
    upload_speed    INTEGER NOT NULL,
    speed_unit      TEXT NOT NULL CHECK (speed_unit IN ('kbps', 'mbps', 'gbps')),
    price_minor     INTEGER NOT NULL CHECK (price_minor >= 0),
    validity_days   INTEGER NOT NULL CHECK (validity_days > 0),
    portal_visible  INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL REFERENCES sites(id),
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('olt', 'bras', 'router', 'switch', 'cpe')),
    vendor        TEXT,
    model         TEXT,
    mgmt_address  TEXT,
    profile       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX devices_site ON devices(site_id);

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    customer_code       TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    phone               TEXT,
    email               TEXT,
    address             TEXT,
    status              TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'inactive')),
    pppoe_username      TEXT UNIQUE,
    onu_mac             TEXT,
    router_mac          TEXT,
    pon_port            TEXT,
    area_id             TEXT REFERENCES areas(id),
    package_id          TEXT REFERENCES packages(id),
    monthly_bill_minor  INTEGER NOT NULL DEFAULT 0,
    due_amount_minor    INTEGER NOT NULL DEFAULT 0,
    expiry_date         TEXT,
    connection_date     TEXT,
    bras_device_id      TEXT REFERENCES devices(id),
    olt_device_id       TEXT REFERENCES devices(id),
    onu_id              INTEGER,
    cpe_device_id       TEXT REFERENCES devices(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX customers_phone ON customers(phone);
CREATE INDEX customers_area ON customers(area_id);
CREATE INDEX customers_package ON customers(package_id);

CREATE TABLE bills (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    bill_number        TEXT NOT NULL UNIQUE,
    billing_month      TEXT NOT NULL,
    amount_minor       INTEGER NOT NULL,
    discount_minor     INTEGER NOT NULL DEFAULT 0,
    tax_minor          INTEGER NOT NULL DEFAULT 0,
    total_minor        INTEGER NOT NULL,
    paid_minor         INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL CHECK (status IN ('paid', 'unpaid', 'partial', 'overdue')),
    bill_date          TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    paid_date          TEXT,
    payment_method     TEXT,
    payment_reference  TEXT,
    notes              TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX bills_customer ON bills(customer_id, bill_date);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers(id),
    bill_id         TEXT REFERENCES bills(id),
    purpose         TEXT NOT NULL CHECK (purpose IN ('bill', 'recharge')),
    months          INTEGER,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    payment_method  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
    transaction_id  TEXT,
    payment_date    TEXT,
    notes           TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX payments_customer ON payments(customer_id, created_at);

CREATE TABLE support_tickets (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    subject      TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('connectivity', 'billing', 'package', 'other')),
    priority     TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'resolved', 'closed')),
    assigned_to  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX support_tickets_customer ON support_tickets(customer_id, created_at);

CREATE TABLE ticket_messages (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES support_tickets(id),
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('customer', 'staff')),
    author_id    TEXT NOT NULL,
    body         TEXT NOT NULL,
    internal     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, created_at);

CREATE TABLE package_change_requests (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    from_package_id  TEXT REFERENCES packages(id),
    to_package_id    TEXT NOT NULL REFERENCES packages(id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    created_at       TEXT NOT NULL,
    decided_by       TEXT,
    decided_at       TEXT
);
CREATE INDEX package_change_requests_customer ON package_change_requests(customer_id, created_at);

CREATE TABLE device_commands (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    requester_kind  TEXT NOT NULL CHECK (requester_kind IN ('customer', 'staff')),
    requester_id    TEXT NOT NULL,
    customer_id     TEXT REFERENCES customers(id),
    device_id       TEXT REFERENCES devices(id),
    target          TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'running', 'succeeded', 'failed', 'rolled_back', 'expired')),
    detail          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX device_commands_customer ON device_commands(customer_id, created_at);
CREATE INDEX device_commands_state ON device_commands(state, created_at);

CREATE TABLE network_state (
    customer_id            TEXT PRIMARY KEY REFERENCES customers(id),
    is_online              INTEGER NOT NULL DEFAULT 0,
    ip_address             TEXT,
    mac_address            TEXT,
    session_started_at     TEXT,
    rx_bps                 INTEGER NOT NULL DEFAULT 0,
    tx_bps                 INTEGER NOT NULL DEFAULT 0,
    total_download_octets  INTEGER NOT NULL DEFAULT 0,
    total_upload_octets    INTEGER NOT NULL DEFAULT 0,
    onu_status             TEXT,
    onu_rx_power_cdbm      INTEGER,
    onu_tx_power_cdbm      INTEGER,
    last_online            TEXT,
    last_offline           TEXT,
    updated_at             TEXT NOT NULL
);

CREATE TABLE staff_users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'noc', 'billing', 'support')),
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    last_login_at  TEXT
);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'agent')),
    actor_id     TEXT,
    actor_name   TEXT,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT,
    detail       TEXT NOT NULL DEFAULT '{}',
    client_ip    TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_target ON audit_log(target_kind, target_id);

-- Per-minute bandwidth averages per customer. The last hour at one-second resolution lives in
-- memory; longer chart periods aggregate these rows.
CREATE TABLE bandwidth_minutes (
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    minute_unix  INTEGER NOT NULL,
    rx_bps       INTEGER NOT NULL,
    tx_bps       INTEGER NOT NULL,
    PRIMARY KEY (customer_id, minute_unix)
);
