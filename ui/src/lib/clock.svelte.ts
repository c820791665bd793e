/**
 * The shared "now" for relative times and live SLA countdowns. Ticks every `intervalMs`
 * once started (the app uses one second); `tick()` reads the time at once, for the SLA
 * store to flip a clock at the exact instant it crosses.
 */
class Clock {
  now = $state(Date.now());

  /** Starts ticking; returns the function that stops it. */
  start(intervalMs = 30_000): () => void {
    this.now = Date.now();
    const timer = setInterval(() => {
      this.now = Date.now();
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }

  /** Reads the time now, between ticks. */
  tick(): void {
    this.now = Date.now();
  }
}

export const clock = new Clock();
