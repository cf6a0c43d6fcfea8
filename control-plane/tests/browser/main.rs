//! The web portals in a real browser: headless Debian Chromium driven over WebDriver
//! (chromedriver) against a control plane started in this process with the demo ISP and its
//! demo site (simulated BRAS and OLT polled by an in-process edge agent). Skipped with a note
//! when Chromium or chromedriver is missing, unless `NETOPS_LAB_REQUIRED=1`.

// Router A of lab/bgp-lab.sh, shared with the agent's own BGP tests.
#[allow(dead_code)]
#[path = "../../../edge-agent/tests/actions_support/bgp_lab.rs"]
mod bgp_lab;
mod bgp_site;
mod chromium;
mod demo;
mod noc;
mod self_service;
mod subscriber;
