// The server writes a busy turn's replies together at its end, and a lone client's at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TurnFlusher } from '../../src/io/turn-flusher.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function connection(name: string, log: string[], pending = 100): { flush(): void; pendingOutputBytes(): number } {
  return { flush: () => log.push(name), pendingOutputBytes: () => pending };
}

describe('TurnFlusher', () => {
  test('a lone read is answered at once; the reads of a busy turn at its end, in order', async () => {
    const flusher = new TurnFlusher();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => connection(n, log));
    flusher.afterRead(a!);
    assert.deepEqual(log, ['a'], 'first read after a quiet turn: written at once');
    flusher.afterRead(b!);
    flusher.afterRead(c!);
    assert.deepEqual(log, ['a'], 'the turn has several reads: the others wait for its end');
    await nextTurn();
    assert.deepEqual(log, ['a', 'b', 'c']);
    // After a busy turn even the first read waits, since more are likely to follow.
    flusher.afterRead(a!);
    assert.deepEqual(log, ['a', 'b', 'c']);
    await nextTurn();
    assert.deepEqual(log, ['a', 'b', 'c', 'a']);
    // That turn had one read: the next first read is answered at once again.
    flusher.afterRead(b!);
    assert.deepEqual(log, ['a', 'b', 'c', 'a', 'b']);
    await nextTurn();
    assert.deepEqual(log, ['a', 'b', 'c', 'a', 'b']);
  });

  test('large output is written at once even in a busy turn', async () => {
    const flusher = new TurnFlusher();
    const log: string[] = [];
    flusher.afterRead(connection('a', log));
    flusher.afterRead(connection('small', log));
    flusher.afterRead(connection('large', log, 64 * 1024));
    assert.deepEqual(log, ['a', 'large']);
    await nextTurn();
    assert.deepEqual(log, ['a', 'large', 'small']);
  });
});
