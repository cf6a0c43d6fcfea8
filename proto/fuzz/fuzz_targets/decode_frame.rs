//! Fuzz target: `decode_frame` must never panic, and whatever it accepts must encode again to
//! bytes that decode and re-encode identically (compared as bytes, since a NaN level is not
//! equal to itself).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(frame) = proto::decode_frame(bytes) {
        let encoded = proto::encode_frame(&frame).expect("a decoded frame encodes");
        let again = proto::decode_frame(&encoded).expect("an encoded frame decodes");
        assert_eq!(proto::encode_frame(&again).expect("encodes again"), encoded);
    }
});
