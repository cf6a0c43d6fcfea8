-- Billing engine (PostgreSQL). Keep in step with migrations/sqlite/0005_billing.sql.
-- Each bill covers one period of the customer's cycle, and the database refuses a second bill
-- for the same customer and period: two control-plane replicas running the billing job at the
-- same moment issue it once. Bill numbers come from a per-year sequence row, updated in the
-- transaction that inserts the bill. Payments record where their money went.

ALTER TABLE bills ADD COLUMN period_start TEXT;
ALTER TABLE bills ADD COLUMN period_end TEXT;
UPDATE bills SET period_start = billing_month || '-01' WHERE period_start IS NULL;
CREATE UNIQUE INDEX bills_customer_period ON bills(customer_id, period_start);
CREATE INDEX bills_open ON bills(status, due_date);

CREATE TABLE bill_number_sequences (
    year         BIGINT PRIMARY KEY,
    last_number  BIGINT NOT NULL
);

CREATE TABLE payment_allocations (
    payment_id    TEXT NOT NULL REFERENCES payments(id),
    bill_id       TEXT NOT NULL REFERENCES bills(id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_allocations_bill ON payment_allocations(bill_id);

-- Monthly customers are billed on billing_day; prepaid ones every validity_days of their
-- package from the connection date. credit_minor is money paid beyond every bill, used by the
-- next ones. never_suspend exempts a customer from suspension at expiry.
ALTER TABLE customers ADD COLUMN billing_cycle TEXT NOT NULL DEFAULT 'monthly'
    CHECK (billing_cycle IN ('monthly', 'prepaid'));
ALTER TABLE customers ADD COLUMN billing_day BIGINT NOT NULL DEFAULT 1
    CHECK (billing_day BETWEEN 1 AND 28);
ALTER TABLE customers ADD COLUMN credit_minor BIGINT NOT NULL DEFAULT 0
    CHECK (credit_minor >= 0);
ALTER TABLE customers ADD COLUMN never_suspend BIGINT NOT NULL DEFAULT 0;

-- The billing job disconnects suspended and reactivated subscribers itself: device commands
-- may be requested by the system.
ALTER TABLE device_commands DROP CONSTRAINT device_commands_requester_kind_check;
ALTER TABLE device_commands ADD CONSTRAINT device_commands_requester_kind_check
    CHECK (requester_kind IN ('customer', 'staff', 'system'));
