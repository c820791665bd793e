//! Reconnect delays: exponential with jitter, so a PBX restart is not met by every
//! desk reconnecting in the same millisecond.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff { initial, max: max.max(initial), attempt: 0 }
    }

    /// The delay before the next attempt: `initial · 2^attempt`, capped at `max`, with
    /// ±20 % jitter (never above `max`).
    pub fn next_delay(&mut self) -> Duration {
        let base = self.initial.saturating_mul(1u32 << self.attempt.min(16)).min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let millis = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
        let spread = millis / 5;
        let jittered = if spread == 0 { millis } else { millis - spread + super::ids::random_u64() % (2 * spread + 1) };
        Duration::from_millis(jittered).min(self.max)
    }

    /// After a session that worked, start again from `initial`.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000));
        let delays: Vec<_> = (0..8).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(80) && delays[0] <= Duration::from_millis(120), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(1000)), "never above the cap: {delays:?}");
        assert!(delays[7] >= Duration::from_millis(800), "reaches the cap: {delays:?}");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(120), "a working session resets the delay");
    }
}
