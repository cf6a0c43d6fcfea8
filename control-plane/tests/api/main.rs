//! HTTP-level tests of the control plane against a real server, on SQLite and on PostgreSQL.

mod agent_client;
mod helpers;

mod aaa;
mod admin;
mod agents;
mod api_keys;
mod auth;
mod bgp_peers;
mod billing;
mod commands;
mod customer;
mod hour_chart;
mod ingest;
mod inventory;
mod inventory_chunks;
mod isolation;
mod limits;
mod live_stream;
mod openapi;
mod ops;
mod optics;
mod optics_alarms;
mod optics_frames;
mod optics_history;
mod optics_metrics;
mod optics_refresh;
mod package_changes;
mod port_binding;
mod portal_noc;
mod portal_noc_network;
mod portal_noc_tickets;
mod portal_subscriber;
mod router_reboot;
mod staff_commands;
mod staff_tickets;
