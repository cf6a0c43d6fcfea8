-- What edge agents report in their Inventory frames (SQLite). Keep in step with
-- migrations/postgres/0005_inventory.sql.

-- The newest Inventory stored per agent: when it arrived and what it counted.
CREATE TABLE agent_inventories (
    agent_id              TEXT PRIMARY KEY REFERENCES agents(id),
    received_at           TEXT NOT NULL,
    device_count          INTEGER NOT NULL,
    interface_count       INTEGER NOT NULL,
    subscriber_key_count  INTEGER NOT NULL
);

-- Every device an agent has reported; `device_id` is the id in the agent's configuration. A
-- device missing from a later Inventory keeps its row, with `gone_at` set and its interfaces as
-- last reported; reported again, `gone_at` is cleared and `first_seen` kept.
CREATE TABLE inventory_devices (
    agent_id            TEXT NOT NULL REFERENCES agents(id),
    device_id           TEXT NOT NULL,
    kind                TEXT NOT NULL,
    profile             TEXT NOT NULL,
    management_address  TEXT NOT NULL,
    interface_count     INTEGER NOT NULL,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL,
    gone_at             TEXT,
    PRIMARY KEY (agent_id, device_id)
);

-- The interfaces of each device as the newest Inventory listing the device had them. `if_name`
-- is the device's own text, capped in length; `first_seen` restarts when an ifIndex is reused
-- by an interface of another name.
CREATE TABLE inventory_interfaces (
    agent_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    if_index    INTEGER NOT NULL,
    if_name     TEXT NOT NULL,
    speed_bps   INTEGER,
    first_seen  TEXT NOT NULL,
    PRIMARY KEY (agent_id, device_id, if_index),
    FOREIGN KEY (agent_id, device_id) REFERENCES inventory_devices(agent_id, device_id)
);
