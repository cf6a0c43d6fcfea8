-- Traffic per customer and calendar month (UTC, month = 'YYYY-MM'), for the usage statistics.
-- network_state's totals are the one source of traffic totals (accounting octets while a
-- RADIUS session is open, agent counters otherwise); these triggers add each growth of those
-- totals, whoever writes it, to the month of the write. Traffic before this migration is not
-- attributed to any month.
-- bgp_peerings_limit is how many BGP peerings a package (business plan) includes; NULL when
-- the package sets no limit.
-- Keep in step with migrations/postgres/0014_traffic_months.sql.
CREATE TABLE traffic_months (
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    month            TEXT NOT NULL,
    download_octets  INTEGER NOT NULL,
    upload_octets    INTEGER NOT NULL,
    PRIMARY KEY (customer_id, month)
);

CREATE TRIGGER network_state_traffic_insert AFTER INSERT ON network_state
WHEN NEW.total_download_octets > 0 OR NEW.total_upload_octets > 0
BEGIN
    INSERT INTO traffic_months (customer_id, month, download_octets, upload_octets)
    VALUES (NEW.customer_id, substr(NEW.updated_at, 1, 7),
            max(NEW.total_download_octets, 0), max(NEW.total_upload_octets, 0))
    ON CONFLICT (customer_id, month) DO UPDATE
    SET download_octets = download_octets + excluded.download_octets,
        upload_octets = upload_octets + excluded.upload_octets;
END;

CREATE TRIGGER network_state_traffic_update
AFTER UPDATE OF total_download_octets, total_upload_octets ON network_state
WHEN NEW.total_download_octets > OLD.total_download_octets
  OR NEW.total_upload_octets > OLD.total_upload_octets
BEGIN
    INSERT INTO traffic_months (customer_id, month, download_octets, upload_octets)
    VALUES (NEW.customer_id, substr(NEW.updated_at, 1, 7),
            max(NEW.total_download_octets - OLD.total_download_octets, 0),
            max(NEW.total_upload_octets - OLD.total_upload_octets, 0))
    ON CONFLICT (customer_id, month) DO UPDATE
    SET download_octets = download_octets + excluded.download_octets,
        upload_octets = upload_octets + excluded.upload_octets;
END;

ALTER TABLE packages ADD COLUMN bgp_peerings_limit INTEGER CHECK (bgp_peerings_limit >= 0);
