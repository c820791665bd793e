//! Where the scheduler gets the time: the wall clock (what SLA instants are measured in)
//! and a monotonic clock (what it sleeps on). Real time in the app, a hand-driven clock
//! in tests so alerts can be checked at exact instants.
//!
//! The two are kept apart on purpose: a wall clock set forward by NTP or the user, or a
//! laptop waking from suspend, moves the wall clock without moving the monotonic one
//! (Linux's CLOCK_MONOTONIC stops during suspend). The scheduler compares them on every
//! wake to notice exactly that.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// A future the scheduler can own across `select!`.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

pub trait Clock: Send + Sync {
    /// Wall-clock time: milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;
    /// Milliseconds on a clock that never jumps (its origin is arbitrary).
    fn monotonic_ms(&self) -> i64;
    /// Resolves once [`Clock::monotonic_ms`] reads `deadline` or later. (A deadline rather
    /// than a duration, so a caller that announced it cannot race the clock.)
    fn sleep_until(&self, deadline: i64) -> Sleep;
}

/// The real clocks: the system time and tokio's timer (CLOCK_MONOTONIC on Linux).
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock { origin: Instant::now() }
    }

    pub fn shared() -> Arc<dyn Clock> {
        Arc::new(SystemClock::new())
    }
}

impl Default for SystemClock {
    fn default() -> SystemClock {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        hilo_model::time::now_millis()
    }

    fn monotonic_ms(&self) -> i64 {
        i64::try_from(self.origin.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    fn sleep_until(&self, deadline: i64) -> Sleep {
        let duration = Duration::from_millis(u64::try_from(deadline - self.monotonic_ms()).unwrap_or(0));
        Box::pin(tokio::time::sleep(duration))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Readings {
    wall: i64,
    monotonic: i64,
}

/// A clock that moves only when told to. Sleepers wake when the monotonic reading
/// reaches their deadline, just as tokio's timer would.
#[derive(Debug)]
pub struct ManualClock {
    readings: watch::Sender<Readings>,
}

impl ManualClock {
    /// Starts at wall instant `wall_ms` (monotonic 0).
    pub fn new(wall_ms: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock { readings: watch::Sender::new(Readings { wall: wall_ms, monotonic: 0 }) })
    }

    /// Time passes: both clocks move forward by `ms`.
    pub fn advance(&self, ms: i64) {
        let ms = ms.max(0);
        self.readings.send_modify(|r| {
            r.wall = r.wall.saturating_add(ms);
            r.monotonic = r.monotonic.saturating_add(ms);
        });
    }

    /// Moves to wall instant `wall_ms` as time passing (forward), or as the wall clock being
    /// set back (backward, which time passing never does).
    pub fn set(&self, wall_ms: i64) {
        let delta = wall_ms - self.now_ms();
        if delta >= 0 { self.advance(delta) } else { self.jump(delta) }
    }

    /// Only the wall clock moves: the clock was set, or the machine slept for `ms`.
    pub fn jump(&self, ms: i64) {
        self.readings.send_modify(|r| r.wall = r.wall.saturating_add(ms));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.readings.borrow().wall
    }

    fn monotonic_ms(&self) -> i64 {
        self.readings.borrow().monotonic
    }

    fn sleep_until(&self, deadline: i64) -> Sleep {
        let mut readings = self.readings.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, nothing will ever
            // advance it, so sleeping forever is the faithful answer.
            if readings.wait_for(|r| r.monotonic >= deadline).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleepers_wake_on_monotonic_time_only() {
        let clock = ManualClock::new(1_000);
        let sleep = clock.sleep_until(500);
        let waiter = tokio::spawn(sleep);
        clock.jump(10_000);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "a wall-clock jump does not end a monotonic sleep");
        clock.advance(499);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "one millisecond early is still asleep");
        clock.advance(1);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("wakes once the deadline is reached")
            .expect("sleep task ends cleanly");
        assert_eq!(clock.now_ms(), 11_500, "wall time includes the jump");
        assert_eq!(clock.monotonic_ms(), 500, "monotonic time ignores it");
        clock.set(11_000);
        assert_eq!((clock.now_ms(), clock.monotonic_ms()), (11_000, 500), "setting back moves the wall clock only");
    }
}
