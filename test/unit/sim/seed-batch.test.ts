// The CI batch: 200 seeds of every adapter that CI runs (sim/adapters.ts CI_ADAPTERS), each with
// the default faults and a shorter chaos phase. A failure names the seed and its replay command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, CI_ADAPTERS } from '../../../sim/adapters.js';
import { DEFAULT_RUN, runSimulation } from '../../../sim/run.js';

const SEEDS = 200;
const TICKS = 400;

for (const name of CI_ADAPTERS) {
  test(`${SEEDS} seeds of ${name} pass every checker`, () => {
    const factory = ADAPTERS.get(name)!;
    const failed: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runSimulation({ ...DEFAULT_RUN, seed, factory, ticks: TICKS });
      if (!r.ok) failed.push(`seed ${seed}: ${r.failures[0]}\n  replay: npm run sim -- --seed ${seed} --ticks ${TICKS} --adapter ${name}`);
    }
    assert.deepEqual(failed, []);
  });
}
