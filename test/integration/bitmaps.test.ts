// Bitmap commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// plus each library's own API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describeEachDriver('bitmaps', {}, ({ client }) => {
  it('SETBIT and GETBIT; the string grows with zero bytes', async () => {
    const c = client();
    assert.equal(await c.call('SETBIT', 'b', '7', '1'), 0);
    assert.equal(await c.call('SETBIT', 'b', '7', '1'), 1, 'answers the old bit');
    assert.equal(await c.call('GET', 'b'), '\u0001');
    assert.equal(await c.call('SETBIT', 'b', '17', '1'), 0);
    assert.equal(await c.call('STRLEN', 'b'), 3);
    assert.equal(await c.call('GETBIT', 'b', '17'), 1);
    assert.equal(await c.call('GETBIT', 'b', '16'), 0);
    assert.equal(await c.call('GETBIT', 'b', '100000'), 0, 'beyond the end reads 0');
    assert.equal(await c.call('GETBIT', 'nokey', '0'), 0);
    assert.equal(await c.call('SETBIT', 'b', '7', '0'), 1);
    await expectError(c.call('SETBIT', 'b', '1', '2'), 'ERR bit is not an integer or out of range');
    await expectError(c.call('SETBIT', 'b', '-1', '1'), 'ERR bit offset is not an integer or out of range');
    await expectError(c.call('SETBIT', 'b', '4294967296', '1'), 'ERR bit offset is not an integer or out of range');
    await expectError(c.call('GETBIT', 'b', 'x'), 'ERR bit offset is not an integer or out of range');
  });

  it('BITCOUNT with byte and bit ranges', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'foobar'), 'OK');
    assert.equal(await c.call('BITCOUNT', 's'), 26);
    assert.equal(await c.call('BITCOUNT', 's', '1', '1'), 6);
    assert.equal(await c.call('BITCOUNT', 's', '-2', '-1'), 7);
    assert.equal(await c.call('BITCOUNT', 's', '1', '1', 'BYTE'), 6);
    assert.equal(await c.call('BITCOUNT', 's', '5', '30', 'BIT'), 17);
    assert.equal(await c.call('BITCOUNT', 'nokey'), 0);
    await expectError(c.call('BITCOUNT', 's', '1'), 'ERR syntax error');
    await expectError(c.call('BITCOUNT', 's', '0', '-1', 'BITS'), 'ERR syntax error');
    await expectError(c.call('BITCOUNT', 's', 'a', '1'), 'ERR value is not an integer or out of range');
  });

  it('BITPOS', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'foobar'), 'OK');
    assert.equal(await c.call('BITPOS', 's', '0'), 0);
    assert.equal(await c.call('BITPOS', 's', '1', '2'), 17);
    assert.equal(await c.call('SET', 'z', '\u00ff'), 'OK', 'UTF-8: bytes c3 bf');
    assert.equal(await c.call('BITPOS', 'z', '0'), 2);
    assert.equal(await c.call('SETBIT', 'ones', '7', '1'), 0);
    assert.equal(await c.call('BITPOS', 'ones', '1', '0', '-1', 'BIT'), 7);
    assert.equal(await c.call('BITPOS', 'nokey', '1'), -1);
    assert.equal(await c.call('BITPOS', 'nokey', '0'), 0);
    await expectError(c.call('BITPOS', 's', '2'), 'ERR The bit argument must be 1 or 0.');
  });

  it('BITOP AND, OR, XOR, NOT', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'a', 'abc'), 'OK');
    assert.equal(await c.call('SET', 'b', 'a'), 'OK');
    assert.equal(await c.call('BITOP', 'AND', 'dest', 'a', 'b'), 3, 'the length of the longest input');
    assert.equal(await c.call('GET', 'dest'), 'a\u0000\u0000');
    assert.equal(await c.call('BITOP', 'OR', 'dest', 'a', 'b'), 3);
    assert.equal(await c.call('GET', 'dest'), 'abc');
    assert.equal(await c.call('BITOP', 'XOR', 'dest', 'a', 'b'), 3);
    assert.equal(await c.call('GET', 'dest'), '\u0000bc');
    assert.equal(await c.call('SET', 'n', '\u0000'), 'OK');
    assert.equal(await c.call('BITOP', 'NOT', 'dest', 'n'), 1);
    assert.equal(await c.call('BITCOUNT', 'dest'), 8);
    assert.equal(await c.call('BITOP', 'AND', 'dest', 'a', 'nokey'), 3);
    assert.equal(await c.call('BITCOUNT', 'dest'), 0);
    assert.equal(await c.call('BITOP', 'OR', 'dest', 'nokey'), 0);
    assert.equal(await c.call('EXISTS', 'dest'), 0, 'an empty result deletes the destination');
    await expectError(c.call('BITOP', 'NOT', 'dest', 'a', 'b'), 'ERR BITOP NOT must be called with a single source key.');
    await expectError(c.call('BITOP', 'NAND', 'dest', 'a'), 'ERR syntax error');
    assert.equal(await c.call('LPUSH', 'list', 'x'), 1);
    await expectError(c.call('BITOP', 'AND', 'dest', 'a', 'list'), WRONGTYPE);
  });

  it('BITFIELD GET, SET, INCRBY with OVERFLOW; BITFIELD_RO', async () => {
    const c = client();
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'SET', 'i8', '0', '100', 'GET', 'u4', '0', 'INCRBY', 'i8', '0', '100'), [0, 6, -56]);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '100', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'), [44, null]);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '200'), [127]);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'INCRBY', 'u2', '#1', '5'), [0], 'WRAP is the default; #1 is the second u2: 3 + 5 wraps to 0');
    assert.deepEqual(await c.call('BITFIELD_RO', 'bf', 'GET', 'i8', '0'), [79]);
    assert.deepEqual(await c.call('BITFIELD', 'bf'), []);
    assert.deepEqual(await c.call('BITFIELD', 'nokey', 'GET', 'u8', '0'), [0]);
    assert.equal(await c.call('EXISTS', 'nokey'), 0, 'GET alone creates nothing');
    await expectError(c.call('BITFIELD', 'bf', 'GET', 'u64', '0'), 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
    await expectError(c.call('BITFIELD', 'bf', 'GET', 'i8', '-1'), 'ERR bit offset is not an integer or out of range');
    await expectError(c.call('BITFIELD', 'bf', 'INCRBY', 'i8', '0', 'abc'), 'ERR value is not an integer or out of range');
    await expectError(c.call('BITFIELD', 'bf', 'OVERFLOW', 'WHAT', 'GET', 'i8', '0'), 'ERR Invalid OVERFLOW type specified');
    await expectError(c.call('BITFIELD', 'bf', 'FLIP', 'i8', '0'), 'ERR syntax error');
    await expectError(c.call('BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'), 'ERR BITFIELD_RO only supports the GET subcommand');
  });
});

describe('bitmaps through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis setbit, bitcount, getBuffer shows the raw bytes', async () => {
    assert.equal(await lib.io.setbit('lib:b', 0, 1), 0);
    assert.equal(await lib.io.setbit('lib:b', 15, 1), 0);
    assert.equal(await lib.io.bitcount('lib:b'), 2);
    assert.deepEqual(await lib.io.getBuffer('lib:b'), Buffer.from([0x80, 0x01]));
  });

  it('node-redis bitField and bitPos', async () => {
    assert.deepEqual(await lib.nr.bitField('lib:n', [{ operation: 'SET', encoding: 'u8', offset: 0, value: 255 }, { operation: 'GET', encoding: 'u4', offset: 4 }]), [0, 15]);
    assert.equal(await lib.nr.bitPos('lib:n', 0), 8);
  });
});
