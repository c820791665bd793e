//! Retry delays after a failed sync or delivery: exponential with jitter (so a helpdesk
//! coming back is not met by every desk in the same millisecond), never shorter than
//! what the server asked for in `Retry-After`.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub base: Duration,
    pub max: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy { base: Duration::from_secs(2), max: Duration::from_secs(300) }
    }
}

impl BackoffPolicy {
    /// The wait after the `failures`-th consecutive failure (1-based): `base · 2^(n-1)`
    /// capped at `max`, then "equal jitter" (half fixed, half random), and at least
    /// `retry_after` when the server sent one.
    pub fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1u32 << exp).min(self.max);
        let half = ceiling / 2;
        let jitter = Duration::from_nanos(random_below(u64::try_from(half.as_nanos()).unwrap_or(u64::MAX)));
        let delay = half + jitter;
        match retry_after {
            Some(asked) => delay.max(asked),
            None => delay,
        }
    }
}

/// A uniformly random number below `bound` (0 when `bound` is 0).
fn random_below(bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    let mut bytes = [0u8; 8];
    // Without system randomness the delay simply loses its jitter; never worth failing for.
    if getrandom::fill(&mut bytes).is_err() {
        return bound / 2;
    }
    u64::from_le_bytes(bytes) % bound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_jitters_and_honours_retry_after() {
        let p = BackoffPolicy { base: Duration::from_millis(100), max: Duration::from_secs(2) };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100), "{d1:?}");
            let d4 = p.delay(4, None);
            assert!(d4 >= Duration::from_millis(400) && d4 <= Duration::from_millis(800), "{d4:?}");
            let d30 = p.delay(30, None);
            assert!(d30 >= Duration::from_secs(1) && d30 <= Duration::from_secs(2), "capped: {d30:?}");
        }
        assert_eq!(p.delay(1, Some(Duration::from_secs(7))), Duration::from_secs(7), "Retry-After wins when longer");
        let spread: std::collections::HashSet<_> = (0..20).map(|_| p.delay(5, None)).collect();
        assert!(spread.len() > 1, "delays must be jittered");
    }
}
