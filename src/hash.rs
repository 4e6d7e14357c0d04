//! The SHA-256 fingerprint of a scenario's text, as lowercase hex.
//!
//! It sits at the bottom layer, beside `units`, because both the model
//! (`summary.json` records which scenario text produced it) and the writers
//! above the model need it; kept in `report`, it made the model import a
//! layer above itself.

use sha2::{Digest, Sha256};

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "abc" test vector of FIPS 180-2, appendix B.1.
    #[test]
    fn sha256_of_abc() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
