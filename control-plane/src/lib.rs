//! netops control plane: subscriber and staff APIs over a SQLite or PostgreSQL store.

pub mod aaa;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod billing;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod domain;
pub mod email;
pub mod http;
pub mod ingest;
pub mod inventory;
pub mod live;
pub mod optics;
pub mod pdf;
pub mod reload;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod tls_client;
pub mod webhooks;
