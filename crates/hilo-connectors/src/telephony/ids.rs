//! Random identifiers for the ids Hilo presets on the PBX (AMI `ChannelId`, ESL
//! `origination_uuid`, `Job-UUID`) and for jitter.

/// 8 random bytes from the OS; falls back to the clock, which is enough for jitter and
/// ActionIDs (uniqueness per connection is what matters there).
pub fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    match getrandom::fill(&mut buf) {
        Ok(()) => u64::from_le_bytes(buf),
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            (nanos as u64) ^ ((nanos >> 64) as u64)
        }
    }
}

/// A random (version 4) UUID in its usual lower-case hyphenated form.
pub fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&random_u64().to_le_bytes());
    bytes[8..].copy_from_slice(&random_u64().to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_well_formed_and_distinct() {
        let a = super::uuid_v4();
        let b = super::uuid_v4();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4", "version 4: {a}");
        assert_ne!(a, b);
    }
}
