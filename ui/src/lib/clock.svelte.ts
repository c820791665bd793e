/** A coarse, shared "now" for relative times; ticks every 30 s once started. */
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
}

export const clock = new Clock();
