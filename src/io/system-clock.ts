// The real clock, for the shell only.
import { performance } from 'node:perf_hooks';
import type { Clock } from '../server/clock.js';

const originMicros = Date.now() * 1000 - performance.now() * 1000;

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowMicros: () => Math.floor(originMicros + performance.now() * 1000),
  monotonicMicros: () => performance.now() * 1000,
};
