//! CRC-32C (Castagnoli), the checksum that guards every spool record.

/// Reflected CRC-32C polynomial.
const POLYNOMIAL: u32 = 0x82F6_3B78;

const TABLE: [u32; 256] = build_table();

const fn build_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut index = 0;
    while index < 256 {
        let mut value = index as u32;
        let mut bit = 0;
        while bit < 8 {
            value = if value & 1 == 1 {
                (value >> 1) ^ POLYNOMIAL
            } else {
                value >> 1
            };
            bit += 1;
        }
        table[index] = value;
        index += 1;
    }
    table
}

/// CRC-32C of the concatenation of `parts`.
pub(crate) fn crc32c(parts: &[&[u8]]) -> u32 {
    let mut crc = !0u32;
    for part in parts {
        for byte in part.iter() {
            crc = TABLE[((crc ^ u32::from(*byte)) & 0xFF) as usize] ^ (crc >> 8);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(parts: &[&[u8]], expected: u32) {
        assert_eq!(crc32c(parts), expected, "{parts:?}");
    }

    #[test]
    fn known_vectors() {
        check(&[b""], 0);
        check(&[b"123456789"], 0xE306_9283);
        check(&[b"1234", b"56789"], 0xE306_9283);
        check(&[&[0u8; 32]], 0x8A91_36AA);
    }
}
