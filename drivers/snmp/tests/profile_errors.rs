//! Malformed profile files: every problem is reported at once, naming the file, the key and a fix.

use std::path::Path;

use netops_snmp::load_profiles_dir;
use netops_snmp::profile::{parse_profile, ProfileDirError, ProfileError};

const VALID: &str = r#"
name = "test-olt"
vendor = "Test"

[match]
sys_object_id_prefixes = ["1.3.6.1.4.1.99999"]

[poll]
counters_interval_s = 1
optics_interval_s = 300
fast_optics_interval_s = 10

[counters]
if_name = "1.3.6.1.2.1.31.1.1.1.1"
in_octets_64 = "1.3.6.1.2.1.31.1.1.1.6"
out_octets_64 = "1.3.6.1.2.1.31.1.1.1.10"

[onu]
index = ["pon_index", "onu_id"]

[onu.pon_layout]
base = 0x10000000
slot = { shift = 16, bits = 8 }
port = { shift = 8, bits = 8 }

[onu.rx_power]
oid = "1.3.6.1.4.1.99999.1.1"
scale = { kind = "linear", factor = 0.01 }

[onu.status]
oid = "1.3.6.1.4.1.99999.1.2"
values = { 1 = "online", 2 = "offline" }

[[onu.reboot.set]]
oid = "1.3.6.1.4.1.99999.1.3"
index = ["pon_index", "onu_id"]
integer = 1
"#;

/// `VALID` with one text replaced must fail with exactly these (key, message fragment) problems.
fn check(replace: &str, with: &str, expected: &[(&str, &str)]) {
    assert!(VALID.contains(replace), "fixture lacks {replace:?}");
    let text = VALID.replacen(replace, with, 1);
    let error = parse_profile(Path::new("profiles/test-olt.toml"), &text)
        .expect_err("profile must be rejected");
    let found: Vec<(String, String)> = error
        .problems()
        .iter()
        .map(|p| (p.key.clone(), p.message.clone()))
        .collect();
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((key, message), (expected_key, fragment)) in found.iter().zip(expected) {
        assert_eq!(key, expected_key, "{found:#?}");
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    }
    let shown = error.to_string();
    assert!(
        shown.starts_with("profile profiles/test-olt.toml is invalid:"),
        "{shown}"
    );
    assert!(
        error.problems().iter().all(|p| !p.hint.is_empty()),
        "{shown}"
    );
    assert!(!shown.ends_with('.'), "{shown}");
}

#[test]
fn the_fixture_is_valid() {
    let profile = parse_profile(Path::new("test-olt.toml"), VALID).expect("valid");
    assert_eq!(profile.name, "test-olt");
}

#[test]
fn syntax_and_schema_errors_name_the_key_and_line() {
    check(
        "vendor = \"Test\"",
        "vendr = \"Test\"",
        &[("vendr", "line 3: unknown field `vendr`")],
    );
    check(
        "scale = { kind = \"linear\", factor = 0.01 }",
        "scale = { kind = \"linear\", factr = 0.01 }",
        &[("onu.rx_power.scale", "unknown field `factr`")],
    );
    check(
        "scale = { kind = \"linear\", factor = 0.01 }",
        "scale = { kind = \"log\", factor = 0.01 }",
        &[("onu.rx_power.scale", "unknown variant `log`")],
    );
    check(
        "counters_interval_s = 1",
        "counters_interval_s = \"1\"",
        &[("poll.counters_interval_s", "invalid type")],
    );
    check(
        "values = { 1 = \"online\"",
        "values = { 1 = \"up\"",
        &[("onu.status.values", "unknown variant `up`")],
    );
    check(
        "[counters]\nif_name",
        "[counters]\nif_nam",
        &[("counters.if_nam", "unknown field `if_nam`")],
    );
    check(
        "name = \"test-olt\"",
        "name = \"test-olt\"\nname = \"again\"",
        &[("name", "duplicate key")],
    );
}

#[test]
fn missing_keys() {
    check(
        "vendor = \"Test\"\n",
        "",
        &[("(top level)", "missing field `vendor`")],
    );
    check(
        "oid = \"1.3.6.1.4.1.99999.1.1\"\n",
        "",
        &[("onu.rx_power", "missing field `oid`")],
    );
}

#[test]
fn every_validation_problem_is_reported_at_once() {
    let text = VALID
        .replace("\"1.3.6.1.4.1.99999\"", "\"enterprises.99999\"")
        .replace("\"1.3.6.1.2.1.31.1.1.1.1\"", "\"1.3.6..1\"")
        .replace("oid = \"1.3.6.1.4.1.99999.1.1\"", "oid = \"x\"")
        .replace(
            "fast_optics_interval_s = 10",
            "fast_optics_interval_s = 900",
        )
        .replace("name = \"test-olt\"", "name = \"Test OLT\"");
    let error = parse_profile(Path::new("bad.toml"), &text).expect_err("invalid");
    let keys: Vec<&str> = error.problems().iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "name",
            "match.sys_object_id_prefixes",
            "poll.fast_optics_interval_s",
            "counters.if_name",
            "onu.rx_power.oid",
        ]
    );
    let shown = error.to_string();
    assert!(shown.contains("bad.toml"), "{shown}");
    assert!(
        shown.contains("onu.rx_power.oid: \"x\" is not an OID; write dotted numbers"),
        "{shown}"
    );
}

#[test]
fn validation_problems() {
    check(
        "index = [\"pon_index\", \"onu_id\"]\n\n[onu.pon",
        "index = [\"pon\", \"onu_id\"]\n\n[onu.pon",
        &[("onu.index", "unknown index part \"pon\"")],
    );
    check(
        "index = [\"pon_index\", \"onu_id\"]\n\n[onu.pon",
        "index = [\"onu_id\"]\n\n[onu.pon",
        &[("onu.index", "does not identify one ONU")],
    );
    check(
        "out_octets_64 = \"1.3.6.1.2.1.31.1.1.1.10\"\n",
        "",
        &[("counters.out_octets_64", "missing")],
    );
    check(
        "in_octets_64 = \"1.3.6.1.2.1.31.1.1.1.6\"\nout_octets_64 = \"1.3.6.1.2.1.31.1.1.1.10\"\n",
        "",
        &[("counters", "no octet counters")],
    );
    check(
        "values = { 1 = \"online\"",
        "values = { one = \"online\"",
        &[("onu.status.values", "\"one\" is not an integer")],
    );
    check(
        "port = { shift = 8, bits = 8 }",
        "port = { shift = 12, bits = 8 }",
        &[("onu.pon_layout", "overlap")],
    );
    check(
        "base = 0x10000000",
        "base = 0x10000100",
        &[("onu.pon_layout.base", "sets bits")],
    );
    check(
        "port = { shift = 8, bits = 8 }",
        "port = { shift = 30, bits = 8 }",
        &[("onu.pon_layout.port", "does not fit")],
    );
    check(
        "integer = 1",
        "integer = 1\ninteger_from = \"onu_id\"",
        &[("onu.reboot.set[0]", "exactly one")],
    );
    check(
        "integer = 1",
        "integer_from = \"olt\"",
        &[("onu.reboot.set[0].integer_from", "unknown index part")],
    );
    check(
        "factor = 0.01",
        "factor = 0.0",
        &[("onu.rx_power.scale", "factor 0 is unusable")],
    );
    check(
        "sys_object_id_prefixes = [\"1.3.6.1.4.1.99999\"]",
        "",
        &[("match", "no match criterion")],
    );
    check(
        "counters_interval_s = 1",
        "counters_interval_s = 0",
        &[("poll.counters_interval_s", "interval is 0")],
    );
}

#[test]
fn a_directory_reports_every_bad_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write("a.toml", VALID);
    write("b.toml", VALID);
    write("c.toml", &VALID.replace("vendor", "vendoor"));
    write("notes.txt", "not a profile");
    let Err(ProfileDirError::Invalid { errors }) = load_profiles_dir(dir.path()) else {
        panic!("directory must be rejected");
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{shown:#?}");
    assert!(
        shown[0].contains("b.toml") && shown[0].contains("already used by"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].contains("c.toml") && shown[1].contains("vendoor"),
        "{}",
        shown[1]
    );
    assert!(matches!(errors[0], ProfileError::Invalid { .. }));
}

#[test]
fn directory_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = load_profiles_dir(dir.path()).expect_err("empty");
    assert!(matches!(empty, ProfileDirError::Empty { .. }), "{empty}");
    let missing = load_profiles_dir(&dir.path().join("nope")).expect_err("missing");
    assert!(
        missing
            .to_string()
            .contains("cannot read profiles directory"),
        "{missing}"
    );
}
