// Versions Cairn reports. A test pins CAIRN_VERSION to package.json.

export const CAIRN_VERSION = '0.1.0';
/** The Redis version whose behaviour Cairn matches; clients read it from INFO and HELLO to pick features. */
export const REDIS_COMPAT_VERSION = '7.0.15';

/** The memcached version Cairn answers as (VERSION, stats): the one its differential tests run against. */
export const MEMCACHED_COMPAT_VERSION = '1.6.18';
