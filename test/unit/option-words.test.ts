// Option words (NX, WITHSCORES...) are matched as Redis's strcasecmp matches them: a-z fold to
// A-Z, nothing else does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isWord } from '../../src/core/commands/spec.js';

describe('isWord', () => {
  test('folds ASCII letters only', () => {
    assert.ok(isWord('nx', 'NX'));
    assert.ok(isWord('Nx', 'NX'));
    assert.ok(isWord('WITHSCORES', 'WITHSCORES'));
    assert.ok(!isWord('NX ', 'NX'));
    assert.ok(!isWord('N', 'NX'));
    assert.ok(!isWord('12', 'NX'));
    // toUpperCase would turn these into I and S; strcasecmp does not.
    assert.ok(!isWord('\u0131NCR', 'INCR'));
    assert.ok(!isWord('\u017fET', 'SET'));
    assert.ok(!isWord('\xf1X', 'NX'));
  });

  test('agrees with upper-casing on ASCII text', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x20-\x7e]{0,6}$/), fc.constantFrom('NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'KEEPTTL'), (arg, word) => {
        assert.equal(isWord(arg, word), arg.toUpperCase() === word);
      }),
      { numRuns: 2000 },
    );
    for (const word of ['NX', 'INCR', 'KEEPTTL']) {
      assert.ok(isWord(word.toLowerCase(), word));
    }
  });
});
