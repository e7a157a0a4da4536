// The reply model: what a command returns before a front door encodes it.
// One object shape for every kind keeps the call sites monomorphic; the
// protocol layer decides how each kind looks on the wire (RESP2 vs RESP3).

export const enum ReplyKind {
  Simple = 0,   // +OK
  Error = 1,    // -ERR ... (v holds the whole text, prefix included)
  Int = 2,      // :1 (v is number or bigint)
  Bulk = 3,     // $3 foo (v is a latin1 string: one char per byte)
  Nil = 4,      // RESP2 $-1, RESP3 _
  NilArray = 5, // RESP2 *-1, RESP3 _
  Array = 6,    // *n (v is Reply[])
  Map = 7,      // RESP3 %n, RESP2 flat array (v is Reply[] of key, value, key, value...)
  Set = 8,      // RESP3 ~n, RESP2 array
  Double = 9,   // RESP3 ,1.5 ; RESP2 bulk string
  Bool = 10,    // RESP3 #t ; RESP2 :1 / :0
  Verbatim = 11,// RESP3 =n txt:... ; RESP2 bulk (v is the text, format is always txt)
  Push = 12,    // RESP3 >n ; RESP2 array
  BigNum = 13,  // RESP3 (n ; RESP2 bulk
}

export interface Reply {
  readonly k: ReplyKind;
  readonly v: any;
}

function make(k: ReplyKind, v: unknown): Reply {
  return { k, v };
}

export const simple = (s: string): Reply => make(ReplyKind.Simple, s);
export const int = (n: number | bigint): Reply => make(ReplyKind.Int, n);
export const bulk = (s: string): Reply => make(ReplyKind.Bulk, s);
export const array = (items: Reply[]): Reply => make(ReplyKind.Array, items);
export const map = (flatPairs: Reply[]): Reply => make(ReplyKind.Map, flatPairs);
export const set = (items: Reply[]): Reply => make(ReplyKind.Set, items);
export const double = (n: number): Reply => make(ReplyKind.Double, n);
/** A double whose text the command formats itself (GEOPOS's %.17Lf coordinates): RESP3 `,text`, RESP2 bulk. */
export const doubleText = (text: string): Reply => make(ReplyKind.Double, text);
export const bool = (b: boolean): Reply => (b ? TRUE : FALSE);
export const verbatim = (text: string): Reply => make(ReplyKind.Verbatim, text);
export const push = (items: Reply[]): Reply => make(ReplyKind.Push, items);
export const bignum = (digits: string): Reply => make(ReplyKind.BigNum, digits);
/** Only src/core/errors.ts should call this: error texts live in one module. */
export const errorReply = (text: string): Reply => make(ReplyKind.Error, text);

export const OK: Reply = simple('OK');
export const QUEUED: Reply = simple('QUEUED');
export const PONG: Reply = simple('PONG');
export const NIL: Reply = make(ReplyKind.Nil, null);
export const NIL_ARRAY: Reply = make(ReplyKind.NilArray, null);
export const EMPTY_ARRAY: Reply = array([]);
export const ZERO: Reply = int(0);
export const ONE: Reply = int(1);
export const MINUS_ONE: Reply = int(-1);
export const MINUS_TWO: Reply = int(-2);
const TRUE: Reply = make(ReplyKind.Bool, true);
const FALSE: Reply = make(ReplyKind.Bool, false);

export const bulkOrNil = (s: string | undefined | null): Reply => (s == null ? NIL : bulk(s));
export const bulks = (items: readonly string[]): Reply => array(items.map(bulk));
/** A map reply from [key, value] pairs whose keys are plain strings. */
export const mapOf = (pairs: ReadonlyArray<readonly [string, Reply]>): Reply => {
  const flat: Reply[] = [];
  for (const [key, value] of pairs) flat.push(bulk(key), value);
  return map(flat);
};

export const isError = (r: Reply): boolean => r.k === ReplyKind.Error;

/** A command that answers nothing (SHUTDOWN on success, CLIENT REPLY OFF): the front door writes no bytes. */
export const NO_REPLY: Reply = { k: -1 as ReplyKind, v: null };

/** A blocking command that could not be served yet: the engine parks the client (see ctx.block). */
export const BLOCKED: Reply = { k: -2 as ReplyKind, v: null };
