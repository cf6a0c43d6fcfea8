//! Billing over HTTP on a hand-set clock: the job issues each bill once and marks it overdue,
//! payments (staff and sandbox gateway) are allocated, and subscribers are suspended at expiry
//! and reactivated by paying.

mod audit_together;
mod events_in_transaction;
mod invoices;
mod job;
mod notifications;
pub(crate) mod payments;
mod plan_changes;
mod redirect_gateway;
pub(crate) mod support;
mod suspension;
mod terms;
mod webhooks;
