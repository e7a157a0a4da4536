// Every error reply Cairn sends, in one module, with Redis's exact texts.
// Nothing else builds error strings: call a function here (add one if missing).
import { errorReply, type Reply } from './reply.js';

/** A generic error with the ERR prefix. Prefer a named function below. */
export const err = (message: string): Reply => errorReply(`ERR ${message}`);

export const wrongType = (): Reply => WRONGTYPE;
const WRONGTYPE = errorReply('WRONGTYPE Operation against a key holding the wrong kind of value');
export const syntax = (): Reply => SYNTAX;
const SYNTAX = errorReply('ERR syntax error');
export const notInteger = (): Reply => NOT_INTEGER;
const NOT_INTEGER = errorReply('ERR value is not an integer or out of range');
export const notFloat = (): Reply => NOT_FLOAT;
const NOT_FLOAT = errorReply('ERR value is not a valid float');
export const overflow = (): Reply => errorReply('ERR increment or decrement would overflow');
export const nanOrInfinity = (): Reply => errorReply('ERR increment would produce NaN or Infinity');
export const noSuchKey = (): Reply => errorReply('ERR no such key');
export const indexOutOfRange = (): Reply => errorReply('ERR index out of range');
export const dbIndexOutOfRange = (): Reply => errorReply('ERR DB index is out of range');
export const invalidDbIndex = (): Reply => errorReply('ERR invalid DB index');
export const sameObject = (): Reply => errorReply('ERR source and destination objects are the same');
export const invalidExpireTime = (command: string): Reply =>
  errorReply(`ERR invalid expire time in '${command}' command`);
export const stringTooLong = (): Reply => errorReply('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const offsetOutOfRange = (): Reply => errorReply('ERR offset is out of range');
export const notPositive = (what: string): Reply => errorReply(`ERR ${what} must be positive`);
export const valueOutOfRange = (what: string): Reply => errorReply(`ERR ${what} is out of range`);
export const mustBePositiveOrZero = (what: string): Reply => errorReply(`ERR ${what} should be greater than or equal to 0`);
export const expireFlagsConflict = (): Reply =>
  errorReply('ERR NX and XX, GT or LT options at the same time are not compatible');
export const gtLtConflict = (): Reply => errorReply('ERR GT and LT options at the same time are not compatible');
export const busyKey = (): Reply => errorReply('BUSYKEY Target key name already exists.');
export const dumpPayloadInvalid = (): Reply => errorReply('ERR DUMP payload version or checksum are wrong');
export const badRestorePayload = (): Reply => errorReply('ERR Bad data format');
export const invalidTtl = (): Reply => errorReply('ERR Invalid TTL value, must be >= 0');

// Command dispatch and arity.
export const unknownCommand = (name: string, args: readonly string[]): Reply => {
  let shown = '';
  for (const a of args) {
    if (shown.length >= 128) break;
    shown += `'${clip(a, 128 - shown.length)}' `;
  }
  return errorReply(`ERR unknown command '${clip(name, 128)}', with args beginning with: ${shown}`);
};
export const unknownSubcommand = (container: string, sub: string): Reply =>
  errorReply(`ERR unknown subcommand '${clip(sub, 128)}'. Try ${container.toUpperCase()} HELP.`);
export const wrongArity = (fullName: string): Reply =>
  errorReply(`ERR wrong number of arguments for '${fullName}' command`);
export const unknownSubcommandOrArity = (container: string, sub: string): Reply =>
  errorReply(`ERR unknown subcommand or wrong number of arguments for '${clip(sub, 128)}'. Try ${container.toUpperCase()} HELP.`);

// Connection, auth, transactions.
export const noAuth = (): Reply => errorReply('NOAUTH Authentication required.');
export const wrongPass = (): Reply => errorReply('WRONGPASS invalid username-password pair or user is disabled.');
export const authNotConfigured = (): Reply =>
  errorReply('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
export const noProto = (): Reply => errorReply('NOPROTO unsupported protocol version');
export const nestedMulti = (): Reply => errorReply('ERR MULTI calls can not be nested');
export const execWithoutMulti = (): Reply => errorReply('ERR EXEC without MULTI');
export const discardWithoutMulti = (): Reply => errorReply('ERR DISCARD without MULTI');
export const watchInMulti = (): Reply => errorReply('ERR WATCH inside MULTI is not allowed');
export const execAbort = (): Reply => errorReply('EXECABORT Transaction discarded because of previous errors.');
/** EXEC itself rejected (arity, auth ...): the transaction is discarded with the reason. */
export const execAbortBecause = (reason: Reply): Reply =>
  errorReply(`EXECABORT Transaction discarded because of: ${(reason.v as string).replace(/^ERR /, '')}`);
export const notAllowedInMulti = (): Reply => errorReply('ERR Command not allowed inside a transaction');
export const maxClients = (): Reply => errorReply('ERR max number of clients reached');
export const clientNameInvalid = (): Reply =>
  errorReply('ERR Client names cannot contain spaces, newlines or special characters.');
export const noSuchClient = (): Reply => errorReply('ERR No such client');
export const onlyInResp3 = (): Reply => errorReply('ERR Command only available in RESP3');

// Protocol errors close the connection after the reply.
export const protocol = (detail: string): Reply => errorReply(`ERR Protocol error: ${detail}`);

// Config.
export const unknownConfig = (name: string): Reply => errorReply(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
export const configSetFailed = (name: string, why: string): Reply =>
  errorReply(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);
export const configRewriteNoFile = (): Reply => errorReply('ERR The server is running without a config file');

// Server state.
export const shutdownRefused = (why: string): Reply => errorReply(`ERR Errors trying to SHUTDOWN. ${why}`);
export const loading = (): Reply => errorReply('LOADING Redis is loading the dataset in memory');

/** Redis formats these with %.Ns: at most `max` bytes, and nothing from the first NUL on. */
function clip(s: string, max: number): string {
  const nul = s.indexOf('\0');
  const end = Math.min(max, nul < 0 ? s.length : nul);
  return end < s.length ? s.slice(0, end) : s;
}
export const noAuthHello = (): Reply =>
  errorReply('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');

// String commands (t_string.c).
export const decrementOverflow = (): Reply => errorReply('ERR decrement would overflow');
export const lcsNotStrings = (): Reply => errorReply('ERR The specified keys must contain string values');
export const lcsLenWithIdx = (): Reply => errorReply('ERR If you want both the length and indexes, please just use IDX.');
export const lcsTooLarge = (): Reply =>
  errorReply('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');

// Generic key commands, expiry and databases (keys.ts, expiry.ts, databases.ts).
export const unsupportedOption = (option: string): Reply => errorReply(`ERR Unsupported option ${option}`);
export const invalidCursor = (): Reply => errorReply('ERR invalid cursor');
/** Redis 7.0's getRangeLongFromObjectOrReply text for an int argument, typo included. */
export const intOutOfRange = (): Reply =>
  errorReply('ERR value is out of range, value must between -2147483648 and 2147483647');
export const invalidFirstDbIndex = (): Reply => errorReply('ERR invalid first DB index');
export const invalidSecondDbIndex = (): Reply => errorReply('ERR invalid second DB index');
export const invalidIdleTime = (): Reply => errorReply('ERR Invalid IDLETIME value, must be >= 0');
export const invalidFreq = (): Reply => errorReply('ERR Invalid FREQ value, must be >= 0 and <= 255');
export const lfuNotSelected = (): Reply =>
  errorReply('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');

// Server and CLIENT commands (src/server/commands/server.ts, client.ts).
export const invalidClientId = (): Reply => errorReply('ERR Invalid client ID');
export const unknownClientType = (type: string): Reply => errorReply(`ERR Unknown client type '${type}'`);
export const clientIdNotPositive = (): Reply => errorReply('ERR client-id should be greater than 0');
export const maxAgeNotInteger = (): Reply => errorReply('ERR maxage is not an integer or out of range');
export const maxAgeNotPositive = (): Reply => errorReply('ERR maxage should be greater than 0');
export const noSuchUser = (user: string): Reply => errorReply(`ERR No such user '${user}'`);
export const timeoutNotInteger = (): Reply => errorReply('ERR timeout is not an integer or out of range');
export const timeoutNegative = (): Reply => errorReply('ERR timeout is negative');
export const timeoutOutOfRange = (): Reply => errorReply('ERR timeout is out of range');
export const clientPauseMode = (): Reply => errorReply('ERR CLIENT PAUSE mode must be WRITE or ALL');
export const unrecognizedOption = (option: string): Reply => errorReply(`ERR Unrecognized option '${option}'`);
export const clientAttrInvalid = (attr: string): Reply =>
  errorReply(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
export const configRewriteFailed = (detail: string): Reply => errorReply(`ERR Rewriting config file: ${detail}`);
export const invalidCommandSpecified = (): Reply => errorReply('ERR Invalid command specified');
export const commandHasNoKeys = (): Reply => errorReply('ERR The command has no key arguments');
export const invalidCommandArgCount = (): Reply => errorReply('ERR Invalid number of arguments specified for command');
export const invalidCommandArgs = (): Reply => errorReply('ERR Invalid arguments specified for command');
export const slowlogCountRange = (): Reply => errorReply('ERR count should be greater than or equal to -1');
export const debugNotAllowed = (): Reply =>
  errorReply('ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.');
export const noShutdownInProgress = (): Reply => errorReply('ERR No shutdown in progress.');
export const shutdownUnavailableEmbedded = (): Reply =>
  errorReply('ERR SHUTDOWN is not available in embedded mode: close the embedded instance instead');
export const unblockedByClient = (): Reply => errorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK');
export const unblockReason = (): Reply => errorReply('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');

// Set commands (t_set.c).
/** getPositiveLongFromObjectOrReply without a custom message (SPOP's count). */
export const setCountNotPositive = (): Reply => errorReply('ERR value is out of range, must be positive');
/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) (SRANDMEMBER's count is negated, so LONG_MIN is refused). */
export const setCountOutOfLongRange = (): Reply =>
  errorReply('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
export const setNumkeysNotPositive = (): Reply => errorReply('ERR numkeys should be greater than 0');
export const setNumkeysAboveArgs = (): Reply => errorReply("ERR Number of keys can't be greater than number of args");
export const setLimitNegative = (): Reply => errorReply("ERR LIMIT can't be negative");
/** Cairn's own bound (limits.randomPickReplyMax): Redis would try to build a reply of any size. */
export const setRandomCountTooLarge = (max: number): Reply =>
  errorReply(`ERR count is out of range, a reply may hold at most ${max} random elements`);

// Hash commands (t_hash.c; the field-expiry texts are Redis 7.4's).
export const hashValueNotInteger = (): Reply => errorReply('ERR hash value is not an integer');
export const hashValueNotFloat = (): Reply => errorReply('ERR hash value is not a float');
/** HINCRBYFLOAT refuses an increment that is itself infinite before looking at the key. */
export const incrementNanOrInfinity = (): Reply => errorReply('ERR value is NaN or Infinity');
export const fieldsArgumentMissing = (): Reply =>
  errorReply('ERR Mandatory argument FIELDS is missing or not at the right position');
/** HEXPIRE family: numfields not an integer >= 1. */
export const numFieldsNotPositive = (): Reply => errorReply('ERR Parameter `numFields` should be greater than 0');
/** HTTL family and HPERSIST: numfields not an integer >= 1. */
export const numFieldsNotPositiveInteger = (): Reply => errorReply('ERR Number of fields must be a positive integer');
export const numFieldsMismatch = (): Reply =>
  errorReply('ERR The `numfields` parameter must match the number of arguments');
export const expireTimeNegative = (): Reply => errorReply('ERR invalid expire time, must be >= 0');

// Bitmaps (bitops.c) and HyperLogLog (hyperloglog.c).
export const bitOffsetInvalid = (): Reply => errorReply('ERR bit offset is not an integer or out of range');
export const bitValueInvalid = (): Reply => errorReply('ERR bit is not an integer or out of range');
export const bitArgumentInvalid = (): Reply => errorReply('ERR The bit argument must be 1 or 0.');
export const bitopNotSingleSource = (): Reply => errorReply('ERR BITOP NOT must be called with a single source key.');
export const bitfieldTypeInvalid = (): Reply =>
  errorReply('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
export const bitfieldOverflowTypeInvalid = (): Reply => errorReply('ERR Invalid OVERFLOW type specified');
export const bitfieldRoGetOnly = (): Reply => errorReply('ERR BITFIELD_RO only supports the GET subcommand');
export const hllWrongType = (): Reply => errorReply('WRONGTYPE Key is not a valid HyperLogLog string value.');
export const hllCorrupted = (): Reply => errorReply('INVALIDOBJ Corrupted HLL object detected');
export const pfdebugNoSuchKey = (): Reply => errorReply('ERR The specified key does not exist');
export const hllNotSparse = (): Reply => errorReply('ERR HLL encoding is not sparse');
/** addReplyErrorFormat: the C string up to its first NUL, CR and LF turned into spaces. */
export const pfdebugUnknownSubcommand = (sub: string): Reply =>
  errorReply(`ERR Unknown PFDEBUG subcommand '${clip(sub, sub.length).replace(/[\r\n]/g, ' ')}'`);
/** PFSELFTEST's failure texts start with TESTFAILED; Redis sends them with the ERR prefix. */
export const hllSelfTestFailed = (detail: string): Reply => errorReply(`ERR ${detail}`);

// Pub/sub and client-side caching (pubsub.c, server.c processCommand, networking.c CLIENT TRACKING).
/** A RESP2 client with subscriptions ran something else; fullName is e.g. 'get' or 'client|id'. */
export const onlySubscribeCommandsAllowed = (fullName: string): Reply =>
  errorReply(`ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
/** SSUBSCRIBE inside MULTI/EXEC (a client that expects one reply per command). */
export const denyBlockingClient = (command: string): Reply => errorReply(`ERR ${command} isn't allowed for a DENY BLOCKING client`);
export const trackingSingleRedirect = (): Reply => errorReply('ERR A client can only redirect to a single other client');
export const trackingRedirectMissing = (): Reply => errorReply('ERR The client ID you want redirect to does not exist');
export const trackingPrefixNeedsBcast = (): Reply => errorReply('ERR PREFIX option requires BCAST mode to be enabled');
export const trackingBcastSwitch = (): Reply =>
  errorReply("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
export const trackingOptWithBcast = (): Reply => errorReply('ERR OPTIN and OPTOUT are not compatible with BCAST');
export const trackingOptinAndOptout = (): Reply => errorReply("ERR You can't specify both OPTIN mode and OPTOUT mode");
export const trackingOptSwitch = (): Reply =>
  errorReply("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
export const trackingPrefixOverlapsExisting = (prefix: string, existing: string): Reply =>
  errorReply(`ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`);
export const trackingPrefixOverlapsProvided = (prefix: string, other: string): Reply =>
  errorReply(`ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`);
export const cachingWithoutTracking = (): Reply =>
  errorReply('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
export const cachingYesNeedsOptin = (): Reply => errorReply('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
export const cachingNoNeedsOptout = (): Reply => errorReply('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');

// List commands (t_list.c) and the blocking commands' timeout argument (timeout.c).
export const lposRankZero = (): Reply =>
  errorReply("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
export const lposCountNegative = (): Reply => errorReply("ERR COUNT can't be negative");
export const lposMaxlenNegative = (): Reply => errorReply("ERR MAXLEN can't be negative");
/** LMPOP/BLMPOP (and ZMPOP/BZMPOP): COUNT not an integer >= 1. */
export const mpopCountNotPositive = (): Reply => errorReply('ERR count should be greater than 0');
/** A blocking command's timeout in seconds that is not a number strtold accepts. */
export const timeoutNotFloat = (): Reply => errorReply('ERR timeout is not a float or out of range');

// Persistence (SAVE, BGSAVE, BGREWRITEAOF, the append-only log; src/io/persistence).
/** Writes refused while the append-only log cannot be written or fsynced; `reason` is strerror's text. */
export const misconfAof = (reason: string): Reply => errorReply(`MISCONF Errors writing to the AOF file: ${reason}`);
/** Writes refused after a failed background save when save points are set (stop-writes-on-bgsave-error). */
export const misconfRdb = (): Reply =>
  errorReply("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.");
export const bgsaveInProgress = (): Reply => errorReply('ERR Background save already in progress');
export const bgsaveWhileRewriting = (): Reply =>
  errorReply("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
export const bgrewriteaofInProgress = (): Reply => errorReply('ERR Background append only file rewriting already in progress');
export const bgrewriteaofFailed = (): Reply =>
  errorReply("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
/** SAVE failed (Redis replies its bare shared "-ERR"); the log says why. */
export const saveFailed = (): Reply => errorReply('ERR');
export const persistenceOff = (): Reply =>
  errorReply('ERR persistence is off in this instance (embedded mode without a data folder): open it with a dir to use SAVE, BGSAVE and BGREWRITEAOF');

// Sorted-set commands (t_zset.c).
export const zaddNxXxConflict = (): Reply => errorReply('ERR XX and NX options at the same time are not compatible');
export const zaddGtLtNxConflict = (): Reply =>
  errorReply('ERR GT, LT, and/or NX options at the same time are not compatible');
export const zaddIncrSinglePair = (): Reply => errorReply('ERR INCR option supports a single increment-element pair');
export const zsetScoreNaN = (): Reply => errorReply('ERR resulting score is not a number (NaN)');
export const zsetMinMaxNotFloat = (): Reply => errorReply('ERR min or max is not a float');
export const zsetMinMaxNotLex = (): Reply => errorReply('ERR min or max not valid string range item');
export const zrangeLimitNeedsByScoreOrLex = (): Reply =>
  errorReply('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
export const zrangeWithscoresWithBylex = (): Reply =>
  errorReply('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
/** ZUNION/ZINTER/ZDIFF(STORE)/ZINTERCARD with numkeys < 1; `command` is the lower-case full name. */
export const zsetAtLeastOneKey = (command: string): Reply =>
  errorReply(`ERR at least 1 input key is needed for '${command}' command`);
export const zsetWeightNotFloat = (): Reply => errorReply('ERR weight value is not a float');
/** ZRANDMEMBER ... WITHSCORES with a count beyond ±LONG_MAX/2 (the reply would hold twice as many items). */
export const zrandmemberCountOutOfRange = (): Reply => errorReply('ERR value is out of range');

// Stream commands (t_stream.c). Names and IDs interpolated into a text are shown as Redis's
// addReplyErrorFormat shows a C string: up to the first NUL byte, with CR and LF as spaces.
const cText = (s: string): string => clip(s, s.length).replace(/[\r\n]/g, ' ');
export const invalidStreamId = (): Reply => errorReply('ERR Invalid stream ID specified as stream command argument');
export const xaddIdTooSmall = (): Reply => errorReply('ERR The ID specified in XADD is equal or smaller than the target stream top item');
export const xaddIdZero = (): Reply => errorReply('ERR The ID specified in XADD must be greater than 0-0');
export const streamIdsExhausted = (): Reply => errorReply('ERR The stream has exhausted the last possible ID, unable to add more items');
export const streamElementsTooLarge = (): Reply => errorReply('ERR Elements are too large to be stored');
export const trimStrategyConflict = (): Reply => errorReply('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
export const trimMaxlenNegative = (): Reply => errorReply('ERR The MAXLEN argument must be >= 0.');
export const trimLimitNegative = (): Reply => errorReply('ERR The LIMIT argument must be >= 0.');
export const trimLimitWithoutStrategy = (): Reply => errorReply('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
export const xtrimWithoutStrategy = (): Reply => errorReply('ERR syntax error, XTRIM must be called with a trimming strategy');
export const trimLimitWithoutApprox = (): Reply => errorReply('ERR syntax error, LIMIT cannot be used without the special ~ option');
export const invalidStartInterval = (): Reply => errorReply('ERR invalid start ID for the interval');
export const invalidEndInterval = (): Reply => errorReply('ERR invalid end ID for the interval');
export const xreadUnbalanced = (): Reply =>
  errorReply("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
export const xreadGroupOption = (): Reply => errorReply('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
export const xreadNoackOption = (): Reply => errorReply('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
export const xreadgroupMissingGroup = (): Reply => errorReply('ERR Missing GROUP option for XREADGROUP');
export const xreadgroupNoGroup = (key: string, group: string): Reply =>
  errorReply(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}' in XREADGROUP with GROUP option`);
export const xreadgroupDollarId = (): Reply =>
  errorReply('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
export const xreadgroupPlusId = (): Reply =>
  errorReply('ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set.');
export const xreadGreaterId = (): Reply =>
  errorReply('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
export const xreadLastIdZero = (): Reply => errorReply('ERR the stream last element ID is 0-0');
export const blockedGroupGone = (): Reply => errorReply('NOGROUP the consumer group this client was blocked on no longer exists');
export const blockedStreamGone = (): Reply => errorReply('UNBLOCKED the stream key no longer exists');
export const xgroupKeyMissing = (): Reply =>
  errorReply('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
export const noSuchGroupForKey = (group: string, key: string): Reply =>
  errorReply(`NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`);
export const noSuchKeyOrGroup = (key: string, group: string): Reply =>
  errorReply(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`);
export const busyGroup = (): Reply => errorReply('BUSYGROUP Consumer Group name already exists');
export const entriesReadInvalid = (): Reply => errorReply('ERR value for ENTRIESREAD must be positive or -1');
export const entriesAddedNegative = (): Reply => errorReply('ERR entries_added must be positive');
export const xsetidBelowGivenMaxDeleted = (): Reply =>
  errorReply('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
export const xsetidBelowTopItem = (): Reply => errorReply('ERR The ID specified in XSETID is smaller than the target stream top item');
export const xsetidEntriesAddedBelowLength = (): Reply =>
  errorReply('ERR The entries_added specified in XSETID is smaller than the target stream length');
/** getLongLongFromObjectOrReply with a custom message (XCLAIM / XAUTOCLAIM arguments). */
export const streamArgumentInvalid = (what: string): Reply => errorReply(`ERR ${what}`);
export const xclaimUnknownOption = (option: string): Reply => errorReply(`ERR Unrecognized XCLAIM option '${cText(option)}'`);
export const xautoclaimCountTooHigh = (): Reply =>
  errorReply('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');
export const sortScoresNotDouble = (): Reply => errorReply("ERR One or more scores can't be converted into double");
// Geo commands (geo.c). The pair is printed with C's "%f", done by the caller.
export const geoInvalidLonLat = (lonText: string, latText: string): Reply =>
  errorReply(`ERR invalid longitude,latitude pair ${lonText},${latText}`);
export const geoUnsupportedUnit = (): Reply => errorReply('ERR unsupported unit provided. please use M, KM, FT, MI');
/** getDoubleFromObjectOrReply with a custom message: "need numeric radius", "need numeric width"... */
export const geoNeedNumeric = (what: string): Reply => errorReply(`ERR need numeric ${what}`);
export const geoRadiusNegative = (): Reply => errorReply('ERR radius cannot be negative');
export const geoBoxNegative = (): Reply => errorReply('ERR height or width cannot be negative');
export const geoMemberUndecodable = (): Reply => errorReply('ERR could not decode requested zset member');
export const geoCountNotPositive = (): Reply => errorReply('ERR COUNT must be > 0');
export const geoStoreWithOptions = (what: string): Reply =>
  errorReply(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
export const geoNeedOneFrom = (command: string): Reply =>
  errorReply(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cText(command)}`);
export const geoNeedOneBy = (command: string): Reply =>
  errorReply(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${cText(command)}`);
export const geoAnyWithoutCount = (): Reply => errorReply('ERR the ANY argument requires COUNT argument');
/** A denyoom command while used_memory is over maxmemory and nothing can be evicted (Redis shared.oomerr). */
export const oom = (): Reply => errorReply("OOM command not allowed when used memory > 'maxmemory'.");
export const lfuSelectedNoIdleTime = (): Reply =>
  errorReply('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');

// Cluster mode.
export const clusterDisabled = (): Reply => errorReply('ERR This instance has cluster support disabled');
export const crossSlot = (): Reply => errorReply('CROSSSLOT Keys in request don\'t hash to the same slot');
export const moved = (slot: number, ip: string, port: number): Reply => errorReply(`MOVED ${slot} ${ip}:${port}`);
export const clusterDown = (): Reply => errorReply('CLUSTERDOWN The cluster is down');
export const slotNotServed = (): Reply => errorReply('CLUSTERDOWN Hash slot not served');
export const invalidSlot = (): Reply => errorReply('ERR Invalid slot');
export const invalidSlotOrCount = (): Reply => errorReply('ERR Invalid slot or number of keys');
export const unknownNode = (id: string): Reply => errorReply(`ERR Unknown node ${id}`);
export const selectInClusterMode = (): Reply => errorReply('ERR SELECT is not allowed in cluster mode');
export const notInClusterMode = (command: 'MOVE' | 'SWAPDB'): Reply => errorReply(`ERR ${command} is not allowed in cluster mode`);
export const copyAcrossDatabasesInClusterMode = (): Reply =>
  errorReply('ERR Copying to another database is not allowed in cluster mode');

// Replication.
export const waitOnReplica = (): Reply =>
  errorReply('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');

// Scripting (EVAL, FCALL, SCRIPT, FUNCTION), with Redis 7.0's texts.
export const noScript = (): Reply => errorReply('NOSCRIPT No matching script. Please use EVAL.');
export const numkeysNegative = (): Reply => errorReply("ERR Number of keys can't be negative");
export const numkeysTooMany = (): Reply => errorReply("ERR Number of keys can't be greater than number of args");
export const scriptCompile = (luaMessage: string): Reply => errorReply(`ERR Error compiling script (new function): ${oneLine(luaMessage)}`);
export const functionCompile = (luaMessage: string): Reply => errorReply(`ERR Error compiling function: ${oneLine(luaMessage)}`);
export const shebangEngine = (word: string): Reply => errorReply(`ERR Unexpected engine in script shebang: ${oneLine(word)}`);
export const shebangOption = (word: string): Reply => errorReply(`ERR Unknown lua shebang option: ${oneLine(word)}`);
export const shebangFlag = (word: string): Reply => errorReply(`ERR Unexpected flag in script shebang: ${oneLine(word)}`);
export const busyScript = (isEval: boolean): Reply =>
  errorReply(`BUSY Redis is busy running a script. You can only call ${isEval ? 'SCRIPT' : 'FUNCTION'} KILL or SHUTDOWN NOSAVE.`);
export const notBusy = (): Reply => errorReply('NOTBUSY No scripts in execution right now.');
export const unkillable = (): Reply =>
  errorReply('UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.');
export const writeScriptWithRo = (): Reply => errorReply('ERR Can not execute a script with write flag using *_ro command.');
/** A script's error as the script shaped it ({err=...} tables, errors raised inside the script). */
export const fromScript = (text: string): Reply => errorReply(oneLine(text.startsWith('-') ? text.slice(1) : text));
export const scriptFlushOption = (): Reply => errorReply('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
export const functionFlushOption = (): Reply => errorReply('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
export const functionNotFound = (): Reply => errorReply('ERR Function not found');
export const libraryExists = (name: string): Reply => errorReply(`ERR Library '${oneLine(name)}' already exists`);
/** FUNCTION RESTORE APPEND names the library without quotes (Redis 7.0's text). */
export const libraryExistsOnRestore = (name: string): Reply => errorReply(`ERR Library ${oneLine(name)} already exists`);
export const libraryNotFound = (): Reply => errorReply('ERR Library not found');
export const noFunctionsRegistered = (): Reply => errorReply('ERR No functions registered');
export const libraryNameMissing = (): Reply => errorReply('ERR Library name was not given');
export const libraryMetadataMissing = (): Reply => errorReply('ERR Missing library metadata');
export const libraryNameTwice = (): Reply => errorReply('ERR Invalid metadata value, name argument was given multiple times');
export const libraryMetadataInvalid = (word: string): Reply => errorReply(`ERR Invalid metadata value given: ${oneLine(word)}`);
export const engineNotFound = (engine: string): Reply => errorReply(`ERR Engine '${oneLine(engine)}' not found`);
export const functionExists = (name: string): Reply => errorReply(`ERR Function ${oneLine(name)} already exists`);
export const functionRegistering = (message: string): Reply => errorReply(`ERR Error registering functions: ${oneLine(message)}`);
export const functionRestorePolicy = (): Reply => errorReply('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
export const functionListArgument = (word: string): Reply => errorReply(`ERR Unknown argument ${oneLine(word)}`);
export const functionListLibraryMissing = (): Reply => errorReply('ERR library name argument was not given');
export const functionUnknownOption = (word: string): Reply => errorReply(`ERR Unknown option given: ${oneLine(word)}`);
export const functionCodeMissing = (): Reply => errorReply('ERR Function code is missing');
export const libraryLoadTimeout = (): Reply => errorReply('ERR FUNCTION LOAD timeout');

/** Texts passed to a Lua script as {err=...} by the script API (prefixed with a code by the caller). */
export const scriptApiText = {
  unknownCommand: 'Unknown Redis command called from script',
  wrongArity: 'Wrong number of args calling Redis command from script',
  noScript: 'This Redis command is not allowed from script',
  noArguments: 'Please specify at least one argument for this redis lib call',
  badArgument: 'Lua redis lib command arguments must be strings or integers',
  writeInReadOnly: 'Write commands are not allowed from read-only scripts.',
  outsideScript: 'redis.call/pcall can only be called inside a script invocation',
  killed: 'Script killed by user with SCRIPT KILL...',
  memory: 'Script exceeded the memory limit for scripts (lua-memory-max)',
  wrongArgs: 'wrong number of arguments',
  respVersion: 'RESP version must be 2 or 3.',
  setReplArgs: 'redis.set_repl() requires two arguments.',
  replFlags: 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.',
  setrespArgs: 'redis.setresp() requires one argument.',
  logArgs: 'redis.log() requires two arguments or more.',
  logLevelType: 'First argument must be a number (log level).',
  logLevel: 'Invalid debug level.',
  registerArity: 'wrong number of arguments to redis.register_function',
  registerUnknownFlag: 'unknown flag given',
  registerOutsideLoad: 'redis.register_function can only be called on FUNCTION LOAD command',
  libraryNameInvalid: 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
  registerNameMissing: 'redis.register_function must get a function name argument',
  registerCallbackMissing: 'redis.register_function must get a callback argument',
  registerUnknownArgument: 'unknown argument given to redis.register_function',
  registerFunctionName: 'function_name argument given to redis.register_function must be a string',
  registerDescription: 'description argument given to redis.register_function must be a string',
  registerCallback: 'callback argument given to redis.register_function must be a function',
  registerFlags: 'flags argument to redis.register_function must be a table representing function flags',
} as const;

function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

// memcached items seen from RESP (src/core/commands/memcached.ts).
export const mcFlagsInvalid = (): Reply => errorReply('ERR flags must be an integer between 0 and 4294967295');

// The memcached protocols' error lines (memcached 1.6's texts; src/protocols/memcached).
export const memcachedErrors = {
  unknownCommand: 'ERROR',
  badFormat: 'CLIENT_ERROR bad command line format',
  badDataChunk: 'CLIENT_ERROR bad data chunk',
  tooLarge: 'SERVER_ERROR object too large for cache',
  outOfMemory: 'SERVER_ERROR out of memory storing object',
  nonNumeric: 'CLIENT_ERROR cannot increment or decrement non-numeric value',
  invalidDelta: 'CLIENT_ERROR invalid numeric delta argument',
  invalidExptime: 'CLIENT_ERROR invalid exptime argument',
  deleteUsage: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]',
  duplicateFlag: 'CLIENT_ERROR duplicate flag',
  /** ma reports any flag it cannot read with this one text. */
  maFlags: 'CLIENT_ERROR invalid or duplicate flag',
  invalidFlag: 'CLIENT_ERROR invalid flag',
  badToken: 'CLIENT_ERROR bad token in command line format',
  keyDecoding: 'CLIENT_ERROR error decoding key',
  flagsTooLong: 'CLIENT_ERROR options flags are too long',
  opaqueTooLong: 'CLIENT_ERROR opaque token too long',
  mTokenLength: 'CLIENT_ERROR incorrect length for M token',
  msMode: 'CLIENT_ERROR invalid mode for ms M token',
  maMode: 'CLIENT_ERROR invalid mode for ma M token',
  initialValue: 'CLIENT_ERROR invalid numeric initial value',
  deltaValue: 'CLIENT_ERROR invalid numeric delta value',
  /** Cairn's own: the data set is still loading from disk, or the disk refuses writes. */
  loading: 'SERVER_ERROR Cairn is loading the dataset in memory',
  diskError: 'SERVER_ERROR writes are refused: the append-only log or the last snapshot failed (see the server log)',
  tooManyConnections: 'SERVER_ERROR Too many open connections',
  /** Binary protocol status texts (memcached's). */
  binaryNotFound: 'Not found',
  binaryExists: 'Data exists for key.',
  binaryTooLarge: 'Too large.',
  binaryInvalid: 'Invalid arguments',
  binaryNotStored: 'Not stored.',
  binaryNonNumeric: 'Non-numeric server-side value for incr or decr',
  binaryUnknown: 'Unknown command',
  binaryOutOfMemory: 'Out of memory',
  statsDetailUsage: 'CLIENT_ERROR usage: stats detail on|off|dump',
  /** Cairn's own: a replica group member that is not (yet) a serving leader (docs/design/memcached.md). */
  groupUnavailable: 'SERVER_ERROR this member of the replica group is not serving now (no leader, or leadership just changed); retry',
} as const;

// Replica groups (docs/design/replica-group.md).
/** A write sent to a follower that cannot hand it to the leader (Redis's text for a read-only replica). */
export const readOnlyReplica = (): Reply => errorReply("READONLY You can't write against a read only replica.");
/** No leader is known right now (an election is running): the client retries. */
export const groupNoLeader = (): Reply => errorReply('TRYAGAIN The replica group has no leader right now; retry shortly');
/** A new leader applies the entries of earlier terms before it serves (a few milliseconds). */
export const groupLeaderCatchingUp = (): Reply => errorReply('TRYAGAIN The replica group leader is still applying entries of earlier terms; retry shortly');
/** The leader could not be reached to run a command handed to it. */
export const groupForwardFailed = (why: string): Reply => errorReply(`TRYAGAIN The command could not be handed to the group leader (${oneLine(why)}); retry`);
export const groupOnly = (command: string): Reply => errorReply(`ERR ${command} is only available on a replica group member (cairn server --group-peers)`);
export const consistencySyntax = (): Reply =>
  errorReply('ERR syntax: CONSISTENCY [NEXT] [READS linearizable|leader|eventual] [WRITES majority|leader]');
export const failoverOnLeader = (): Reply => errorReply('ERR You should send CLUSTER FAILOVER to a replica');
export const failoverNoLeader = (): Reply => errorReply('ERR the replica group has no leader to take over from');
/** An error the group leader answered to a command a follower handed it, relayed as it came. */
export const relayedFromLeader = (text: string): Reply => errorReply(oneLine(text));
// Replica group membership (docs/design/group-membership.md).
/** GROUP ADD or REMOVE while another membership change is still under way (one at a time). */
export const groupChangePending = (what: string): Reply =>
  errorReply(`ERR a membership change is already in progress (${oneLine(what)}); retry once it is done (GROUP MEMBERS shows the members)`);
/** GROUP ADD or REMOVE sent to a follower outside cluster mode: they run on the leader. */
export const groupChangeOnFollower = (host: string, port: number): Reply =>
  errorReply(`ERR membership changes run on the group's leader: send GROUP ADD/REMOVE to ${host}:${port}`);
export const groupUnknownMember = (name: string): Reply =>
  errorReply(`ERR no member '${oneLine(name)}' in this replica group (give its node id or host:port, see GROUP MEMBERS)`);
export const groupBadAddress = (text: string): Reply =>
  errorReply(`ERR '${oneLine(text)}' is not host:port or host:port@busport with ports 1..65535`);
export const groupAlreadyVoter = (name: string): Reply => errorReply(`ERR ${oneLine(name)} is already a voter of this replica group`);
/** The node named by GROUP ADD could not be greeted, or refused to join. */
export const groupJoinFailed = (address: string, why: string): Reply =>
  errorReply(`ERR ${oneLine(address)} cannot join the replica group: ${oneLine(why)}`);
/** A change was started but could not be seen through (its state is in GROUP MEMBERS). */
export const groupChangeFailed = (why: string): Reply =>
  errorReply(`ERR the membership change did not complete: ${oneLine(why)} (GROUP MEMBERS shows where it stands)`);
export const groupLastVoter = (): Reply => errorReply('ERR the last voter of a replica group cannot be removed');
/** Data commands on a member that applied its own removal. */
export const groupRemovedMember = (): Reply =>
  errorReply('ERR this node was removed from its replica group and serves no data; wipe its dir before it joins a group again');
/** Data commands on a node started with group-join that no leader has added yet. */
export const groupNotYetMember = (): Reply =>
  errorReply('TRYAGAIN this node is waiting to be added to a replica group (GROUP ADD on the leader)');
/** GROUP HELLO on a node that is not waiting to join. */
export const groupNotJoining = (): Reply =>
  errorReply('ERR this node is not waiting to join a replica group (start a new node with --group-join yes and an empty dir)');
export const groupChangeInMulti = (): Reply => errorReply('ERR GROUP ADD and GROUP REMOVE cannot run inside MULTI or a script');
export const groupHelloSyntax = (): Reply => errorReply("ERR GROUP HELLO is sent by a group's leader with its member registry");
export const groupAddSyntax = (): Reply => errorReply('ERR syntax: GROUP ADD host:port[@busport] [TIMEOUT milliseconds] (1 to 3600000)');
/** A follower could not confirm a linearizable read with the group leader (docs/design/replica-group.md). */
export const groupReadUnconfirmed = (why: string): Reply => errorReply(`TRYAGAIN The read could not be confirmed with the group leader (${oneLine(why)}); retry`);
