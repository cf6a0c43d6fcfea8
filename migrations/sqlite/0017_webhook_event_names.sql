-- Webhook events take the names of seed 001: payment.received becomes payment.completed,
-- bill.issued bill.generated, customer.suspended service.suspended. Deliveries already stored
-- keep the name they were emitted with.
UPDATE webhooks SET events = REPLACE(REPLACE(REPLACE(events,
    'payment.received', 'payment.completed'),
    'bill.issued', 'bill.generated'),
    'customer.suspended', 'service.suspended');
