//! HTTP-level tests of the control plane against a real server, on SQLite and on PostgreSQL.

mod agent_client;
mod helpers;

mod aaa;
mod admin;
mod agents;
mod auth;
mod commands;
mod customer;
mod ingest;
mod isolation;
mod limits;
mod live_stream;
mod openapi;
mod ops;
mod optics;
mod portal_noc;
mod portal_subscriber;
mod staff_commands;
