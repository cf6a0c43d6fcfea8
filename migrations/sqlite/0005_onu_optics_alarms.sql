-- ONU optics alarm levels. onu_optics_levels holds each ONU's level now (normal, weak,
-- critical, overload or offline, judged with hysteresis); onu_optics_alarms records every
-- crossing from one level to another, ended when the next crossing of the same ONU happens.
CREATE TABLE onu_optics_levels (
    customer_id  TEXT PRIMARY KEY REFERENCES customers(id),
    level        TEXT NOT NULL CHECK (level IN ('normal', 'weak', 'critical', 'overload', 'offline')),
    since        TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE onu_optics_alarms (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    olt            TEXT NOT NULL,
    pon_port       TEXT,
    onu_id         INTEGER,
    -- Receive level of the reading that crossed, hundredths of a dBm; NULL when offline.
    rx_power_cdbm  INTEGER,
    from_level     TEXT NOT NULL CHECK (from_level IN ('normal', 'weak', 'critical', 'overload', 'offline')),
    to_level       TEXT NOT NULL CHECK (to_level IN ('normal', 'weak', 'critical', 'overload', 'offline')),
    at             TEXT NOT NULL,
    ended_at       TEXT
);
CREATE INDEX onu_optics_alarms_at ON onu_optics_alarms(at);
CREATE INDEX onu_optics_alarms_customer ON onu_optics_alarms(customer_id, at);
CREATE UNIQUE INDEX onu_optics_alarms_open ON onu_optics_alarms(customer_id) WHERE ended_at IS NULL;

-- At most one fast optics poll per ONU queued, sent or running.
CREATE UNIQUE INDEX device_commands_one_fast_poll ON device_commands(device_id, target)
    WHERE kind = 'fast_poll_optics' AND state IN ('queued', 'sent', 'running');
