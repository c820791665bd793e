//! The cache key: 256 random bits, held in memory only as long as the store is open.

use crate::error::{Result, StoreError};

#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    pub fn from_bytes(bytes: [u8; 32]) -> CacheKey {
        CacheKey(bytes)
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses the 64-hex-digit form kept in the keychain.
    pub fn from_hex(hex: &str) -> Result<CacheKey> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(StoreError::InvalidInput("a cache key is 64 hexadecimal digits".into()));
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| StoreError::InvalidInput("a cache key is 64 hexadecimal digits".into()))?;
        }
        Ok(CacheKey(out))
    }
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, not even in debug logs.
        f.write_str("CacheKey(…)")
    }
}

impl Drop for CacheKey {
    fn drop(&mut self) {
        self.0 = [0; 32];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_rejects_garbage() {
        let k = CacheKey::from_bytes([0xab; 32]);
        assert_eq!(CacheKey::from_hex(&k.to_hex()).ok(), Some(k.clone()));
        assert!(CacheKey::from_hex("zz").is_err());
        assert!(CacheKey::from_hex(&"g".repeat(64)).is_err());
        assert_eq!(format!("{k:?}"), "CacheKey(…)", "debug output must not leak the key");
    }
}
