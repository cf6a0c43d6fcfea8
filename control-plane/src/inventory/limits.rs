//! The `[inventory]` configuration: the largest inventory an agent may report, and how much of
//! a chunked one a connection may hold while it is incomplete.

use serde::Deserialize;

/// Bounds on one agent's `Inventory`. A frame beyond them is refused whole and nothing of it
/// is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryLimits {
    pub max_devices: usize,
    pub max_interfaces: usize,
    /// Most `InventoryChunk` frames one set may have.
    pub max_chunks: usize,
    /// Most bytes of `InventoryChunk` frames a connection holds while a set is incomplete.
    pub max_assembly_bytes: usize,
}

impl Default for InventoryLimits {
    fn default() -> Self {
        Self {
            max_devices: 10_000,
            max_interfaces: 1_000_000,
            max_chunks: 256,
            max_assembly_bytes: 128 * 1024 * 1024,
        }
    }
}

/// The `[inventory]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInventory {
    max_devices: Option<usize>,
    max_interfaces: Option<usize>,
    max_chunks: Option<usize>,
    max_assembly_bytes: Option<usize>,
}

/// Applies the file's `[inventory]` values; `at` names a key for error messages.
pub fn apply_file(
    limits: &mut InventoryLimits,
    file: FileInventory,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    let mut set = |target: &mut usize, value: Option<usize>, key: &str| match value {
        Some(0) => problems.push(format!("{}: must be at least 1", at(key))),
        Some(n) => *target = n,
        None => {}
    };
    set(
        &mut limits.max_devices,
        file.max_devices,
        "inventory.max_devices",
    );
    set(
        &mut limits.max_interfaces,
        file.max_interfaces,
        "inventory.max_interfaces",
    );
    set(
        &mut limits.max_chunks,
        file.max_chunks,
        "inventory.max_chunks",
    );
    set(
        &mut limits.max_assembly_bytes,
        file.max_assembly_bytes,
        "inventory.max_assembly_bytes",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_replace_defaults_and_zero_is_refused() {
        let file: FileInventory =
            toml::from_str("max_devices = 50\nmax_interfaces = 0\nmax_chunks = 9").unwrap();
        let mut limits = InventoryLimits::default();
        let mut problems = Vec::new();
        apply_file(&mut limits, file, &|key| format!("f: {key}"), &mut problems);
        assert_eq!(limits.max_devices, 50);
        assert_eq!(limits.max_interfaces, 1_000_000);
        assert_eq!(limits.max_chunks, 9);
        assert_eq!(limits.max_assembly_bytes, 128 * 1024 * 1024);
        assert_eq!(
            problems,
            ["f: inventory.max_interfaces: must be at least 1"]
        );
        assert!(toml::from_str::<FileInventory>("max_device = 1").is_err());
    }
}
