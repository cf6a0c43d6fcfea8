//! Byte fixtures computed independently (Python's hashlib and hmac) for one Disconnect-Request
//! and its answers, plus property tests of the checks.

use proptest::prelude::*;

use super::*;

const SECRET: &[u8] = b"testing123";
const REQUEST: &str = "28070045adf33430a30610b45d009eacb18d39a3010f726168696d2e67756c7368616e2c0a383161303030303137066553f1005012daa1cec37fa3707a3c60e4f4bfaad8d8";
const NAK_503: &str =
    "2a07002c48da9077ccdf4eedfa77bff71b8305ef6506000001f75012cd0be3fd771af73f749beb8b35533b8c";
const ACK: &str = "290700142bf1b53a70f317ba0a847d1423f62c5d";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn session() -> SessionIdent {
    SessionIdent {
        acct_session_id: Some("81a00001".into()),
        ..SessionIdent::user("rahim.gulshan")
    }
}

#[test]
fn request_matches_the_independent_fixture() {
    let built = build_request(
        RequestKind::Disconnect,
        7,
        SECRET,
        &session(),
        None,
        1_700_000_000,
    )
    .unwrap();
    assert_eq!(built, hex(REQUEST));
}

#[test]
fn answers_are_checked() {
    let request = hex(REQUEST);
    let ack = check_answer(RequestKind::Disconnect, &request, &hex(ACK), SECRET).unwrap();
    assert_eq!(
        ack,
        Answer {
            acknowledged: true,
            error_causes: vec![]
        }
    );
    let nak = check_answer(RequestKind::Disconnect, &request, &hex(NAK_503), SECRET).unwrap();
    assert_eq!(
        nak,
        Answer {
            acknowledged: false,
            error_causes: vec![ErrorCause(503)]
        }
    );
}

#[test]
fn wrong_secret_kind_or_identifier_is_refused() {
    let request = hex(REQUEST);
    assert_eq!(
        check_answer(
            RequestKind::Disconnect,
            &request,
            &hex(ACK),
            b"other-secret"
        ),
        Err(PacketCheckError::BadAuthenticator)
    );
    assert_eq!(
        check_answer(RequestKind::Coa, &request, &hex(ACK), SECRET),
        Err(PacketCheckError::UnexpectedCode {
            code: 41,
            request: "CoA-Request"
        })
    );
    let mut other_id = hex(ACK);
    other_id[1] = 8;
    assert_eq!(
        check_answer(RequestKind::Disconnect, &request, &other_id, SECRET),
        Err(PacketCheckError::WrongIdentifier {
            got: 8,
            expected: 7
        })
    );
    // A forged Message-Authenticator with a correct Response Authenticator is still refused.
    let mut forged = hex(NAK_503);
    let len = forged.len();
    forged[len - 1] ^= 1;
    forged[4..20].fill(0);
    forged[4..20].copy_from_slice(&request[4..20]);
    let auth = md5_with_secret(&forged, SECRET);
    forged[4..20].copy_from_slice(&auth);
    assert_eq!(
        check_answer(RequestKind::Disconnect, &request, &forged, SECRET),
        Err(PacketCheckError::BadMessageAuthenticator)
    );
    assert!(matches!(
        check_answer(RequestKind::Disconnect, &request, &hex(ACK)[..10], SECRET),
        Err(PacketCheckError::Truncated { .. })
    ));
}

#[test]
fn coa_carries_the_rate() {
    let rate = RateLimit::Mikrotik {
        upload_kbps: 10_000,
        download_kbps: 50_000,
    };
    let built = build_request(RequestKind::Coa, 1, SECRET, &session(), Some(&rate), 1).unwrap();
    assert_eq!(built[0], 43);
    let text = b"10M/50M";
    assert!(built.windows(text.len()).any(|w| w == text));
}

proptest! {
    #[test]
    fn random_answers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = check_answer(RequestKind::Disconnect, &hex(REQUEST), &bytes, SECRET);
    }

    #[test]
    fn any_single_bit_flip_is_detected(byte in 0usize..44, bit in 0u8..8) {
        let mut nak = hex(NAK_503);
        nak[byte] ^= 1 << bit;
        prop_assert!(check_answer(RequestKind::Disconnect, &hex(REQUEST), &nak, SECRET).is_err());
    }
}
