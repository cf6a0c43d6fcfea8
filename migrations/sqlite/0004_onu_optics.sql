-- ONU optics reported by agents: one row per ONU reading, newest state also kept in
-- network_state (onu_status, onu_rx_power_cdbm, onu_tx_power_cdbm). Levels in hundredths of a
-- dBm; NULL when the OLT reported no value (ONU offline).
CREATE TABLE onu_optics_history (
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    at_unix            INTEGER NOT NULL,
    status             TEXT NOT NULL,
    rx_power_cdbm      INTEGER,
    tx_power_cdbm      INTEGER,
    olt_rx_power_cdbm  INTEGER,
    PRIMARY KEY (customer_id, at_unix)
);
