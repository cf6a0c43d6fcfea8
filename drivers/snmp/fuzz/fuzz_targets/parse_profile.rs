//! Fuzz target: the vendor-profile parser must turn any text into a profile or a list of
//! problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = netops_snmp::profile::parse_profile(std::path::Path::new("fuzz.toml"), text);
    }
});
