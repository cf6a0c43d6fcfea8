-- Customers reached through one port of a device (a leased line, an Ethernet hand-off): agents
-- report the port's traffic under the device's name and the port's ifName, and ingest maps
-- that pair to the customer. A port belongs to at most one customer.
-- Keep in step with migrations/postgres/0008_port_binding.sql.
ALTER TABLE customers ADD COLUMN port_device_id TEXT REFERENCES devices(id);
ALTER TABLE customers ADD COLUMN port_if_name TEXT;
CREATE UNIQUE INDEX customers_port ON customers(port_device_id, port_if_name);
