/**
 * A sleep that can be cut short: idle loops wait on it, and a producer in the
 * same process wakes them when there is new work.
 */
export function createWaker() {
  let waiters: Array<() => void> = [];
  return {
    wait(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiters.push(done);
      });
    },
    wake(): void {
      for (const w of [...waiters]) w();
    },
  };
}
