-- Edge agents and ingest bookkeeping (SQLite). Keep in step with migrations/postgres/0002_agents.sql.

-- One row per edge agent. The token is shown once at creation; only its SHA-256 (hex) is kept.
-- `last_batch_seq` is the highest `Samples` batch acknowledged to the agent, so batches it
-- replays from its spool after a reconnect or a control-plane restart are recognised as
-- duplicates. NULL means nothing has been acknowledged yet.
CREATE TABLE agents (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    site_id           TEXT NOT NULL REFERENCES sites(id),
    token_hash        TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL,
    revoked_at        TEXT,
    last_seen_at      TEXT,
    agent_version     TEXT,
    protocol_version  INTEGER,
    clock_offset_ms   INTEGER,
    last_batch_seq    INTEGER
);
CREATE INDEX agents_site ON agents(site_id);

-- How many one-second samples a minute row averages, so a minute written in two parts (a
-- restart, late samples from an agent's spool) merges into one correctly weighted row.
-- Rows written before ingest existed count as full minutes.
ALTER TABLE bandwidth_minutes ADD COLUMN sample_count INTEGER NOT NULL DEFAULT 60;
