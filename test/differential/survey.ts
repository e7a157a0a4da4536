// A triage tool, not a test: runs many seeds against redis-server and Cairn and prints the
// first mismatch of each seed, grouped by command, so that the owners of the commands get one
// list instead of twenty failing tests.
//
//   node dist/test/differential/survey.js [firstSeed] [lastSeed] [count]
//   DIFF_EXCLUDE=EXEC,LCS node dist/test/differential/survey.js 1 200   (look past known ones)
//   DIFF_SUITE=collections ...   the collections test's sequences (and its oracle settings)
//   DIFF_TARGET=redis ...        a second redis-server instead of Cairn (harness check)
import { startRedis } from '../helpers/redis-oracle.js';
import { startCairnInProcess } from '../helpers/cairn-server.js';
import { generateCollections } from './collections.js';
import { ORACLE_ARGS } from './oracle-config.js';
import { respForSeed, runSeed, type Mismatch } from './runner.js';

async function main(): Promise<void> {
  const [first = '1', last = '20', countText = '1000'] = process.argv.slice(2);
  const count = Number(countText);
  const exclude = new Set((process.env.DIFF_EXCLUDE ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''));
  const collections = process.env.DIFF_SUITE === 'collections';
  const againstRedis = process.env.DIFF_TARGET === 'redis';
  const args = collections ? [...ORACLE_ARGS] : [];
  const oracle = await startRedis({ args });
  const cairn = againstRedis ? await startRedis({ args }) : await startCairnInProcess({ seed: 1 });
  const byCommand = new Map<string, Mismatch[]>();
  let clean = 0;
  let commands = 0;
  try {
    for (let seed = Number(first); seed <= Number(last); seed++) {
      const result = await runSeed({
        seed,
        count,
        resp: respForSeed(seed),
        reference: { name: 'redis', port: oracle.port },
        subject: { name: 'cairn', port: cairn.port },
        exclude,
        ...(collections ? { generator: (o) => generateCollections({ ...o, includeUnserved: againstRedis }), trackEncodings: true } : {}),
      });
      commands += result.commandsSent;
      if (result.mismatch === null) clean++;
      else {
        const list = byCommand.get(result.mismatch.cmd) ?? [];
        list.push(result.mismatch);
        byCommand.set(result.mismatch.cmd, list);
      }
    }
  } finally {
    await Promise.allSettled([oracle.stop(), cairn.stop()]);
  }
  console.log(`seeds ${first}..${last}, ${count} commands each: ${clean} clean, ${commands} commands sent to each server`);
  for (const [cmd, list] of [...byCommand].sort((x, y) => y[1].length - x[1].length)) {
    console.log(`\n== ${cmd}: first mismatch in ${list.length} seed(s): ${list.map((m) => m.seed).join(' ')}`);
    const seen = new Set<string>();
    for (const m of list) {
      const signature = `${m.reference} | ${m.subject}`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      if (seen.size > 8) break;
      console.log(`  seed ${m.seed} #${m.index} RESP${m.resp}: ${m.command}\n    redis: ${m.reference}\n    cairn: ${m.subject}\n    (${m.reason})`);
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
