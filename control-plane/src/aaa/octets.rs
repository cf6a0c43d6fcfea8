//! Octet counters of RADIUS accounting: a 32-bit `Acct-*-Octets` plus `Acct-*-Gigawords`, the
//! number of times it wrapped (RFC 2869 §5.1), folded into one 64-bit count.

/// One direction's counter as a NAS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OctetCounter {
    pub octets: u64,
    pub gigawords: u64,
}

impl OctetCounter {
    /// The total octets: `gigawords × 2^32 + octets`. A NAS that sends a 64-bit value in
    /// `octets` with no gigawords is taken at its word. Saturates at `i64::MAX`, the store's
    /// limit, far beyond any real session.
    pub fn total(self) -> i64 {
        let total = self
            .gigawords
            .checked_shl(32)
            .filter(|shifted| shifted >> 32 == self.gigawords)
            .and_then(|shifted| shifted.checked_add(self.octets))
            .unwrap_or(u64::MAX);
        i64::try_from(total).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(octets: u64, gigawords: u64, expected: i64) {
        assert_eq!(
            OctetCounter { octets, gigawords }.total(),
            expected,
            "{octets} + {gigawords} gigawords"
        );
    }

    #[test]
    fn gigawords_fold_in() {
        check(0, 0, 0);
        check(4_294_967_295, 0, 4_294_967_295);
        check(0, 1, 4_294_967_296);
        check(1_000, 5, 5 * 4_294_967_296 + 1_000);
        check(7_000_000_000, 0, 7_000_000_000);
        check(u64::MAX, 0, i64::MAX);
        check(0, u64::MAX, i64::MAX);
        check(u64::MAX, u64::MAX, i64::MAX);
    }

    proptest! {
        #[test]
        fn total_matches_wide_arithmetic(octets in 0u64..(1 << 32), gigawords in 0u64..(1 << 31)) {
            let wide = u128::from(gigawords) * (1u128 << 32) + u128::from(octets);
            let total = OctetCounter { octets, gigawords }.total();
            prop_assert_eq!(u128::try_from(total).unwrap(), wide);
        }

        #[test]
        fn total_is_monotonic(octets in 0u64..(1 << 32), gigawords in 0u64..(1 << 30), more in 1u64..(1 << 32)) {
            let before = OctetCounter { octets, gigawords }.total();
            let sum = octets + more;
            let after = OctetCounter { octets: sum % (1 << 32), gigawords: gigawords + sum / (1 << 32) };
            let after_wrap = after.total();
            prop_assert!(after_wrap > before);
        }

        #[test]
        fn never_panics_and_never_negative(octets: u64, gigawords: u64) {
            let total = OctetCounter { octets, gigawords }.total();
            prop_assert!(total >= 0);
        }
    }
}
