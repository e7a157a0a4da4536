// Real timers for the engine's deadlines (blocked commands), unref'd so they never keep the
// process alive on their own.

export const realTimer = (delayMs: number, fire: () => void): (() => void) => {
  const t = setTimeout(fire, delayMs);
  t.unref();
  return () => clearTimeout(t);
};
