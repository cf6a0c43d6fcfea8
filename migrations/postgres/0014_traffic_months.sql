-- Traffic per customer and calendar month (UTC, month = 'YYYY-MM'), for the usage statistics.
-- network_state's totals are the one source of traffic totals (accounting octets while a
-- RADIUS session is open, agent counters otherwise); these triggers add each growth of those
-- totals, whoever writes it, to the month of the write. Traffic before this migration is not
-- attributed to any month.
-- bgp_peerings_limit is how many BGP peerings a package (business plan) includes; NULL when
-- the package sets no limit.
-- Keep in step with migrations/sqlite/0014_traffic_months.sql.
CREATE TABLE traffic_months (
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    month            TEXT NOT NULL,
    download_octets  BIGINT NOT NULL,
    upload_octets    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, month)
);

CREATE FUNCTION traffic_months_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    add_download BIGINT := NEW.total_download_octets;
    add_upload   BIGINT := NEW.total_upload_octets;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        add_download := NEW.total_download_octets - OLD.total_download_octets;
        add_upload := NEW.total_upload_octets - OLD.total_upload_octets;
    END IF;
    IF add_download > 0 OR add_upload > 0 THEN
        INSERT INTO traffic_months (customer_id, month, download_octets, upload_octets)
        VALUES (NEW.customer_id, substr(NEW.updated_at, 1, 7),
                GREATEST(add_download, 0), GREATEST(add_upload, 0))
        ON CONFLICT (customer_id, month) DO UPDATE
        SET download_octets = traffic_months.download_octets + excluded.download_octets,
            upload_octets = traffic_months.upload_octets + excluded.upload_octets;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER network_state_traffic_insert AFTER INSERT ON network_state
FOR EACH ROW EXECUTE FUNCTION traffic_months_add();
CREATE TRIGGER network_state_traffic_update
AFTER UPDATE OF total_download_octets, total_upload_octets ON network_state
FOR EACH ROW EXECUTE FUNCTION traffic_months_add();

ALTER TABLE packages ADD COLUMN bgp_peerings_limit BIGINT CHECK (bgp_peerings_limit >= 0);
