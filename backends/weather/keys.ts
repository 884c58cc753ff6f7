// The weather cache's keys on the Redis Cluster. docs/architecture.md#key-design.
//
//   weather:{<city>}:<date>        one day's weather for a city (JSON)
//   weather:{<city>}:<date>:lock   the short lock of the one backend fetching it from the source
//
// The hash tag is the city: Redis hashes only what is between the braces, so a city's days and
// each entry's lock share a slot. One script can then read an entry and take its lock in a
// single atomic step (a script's keys must share a slot), and a city's week is one MGET away.
// How evenly the keys spread over the primaries then depends on the city names alone: the
// 10,000 cities shipped with the kit split within ±3 % (tested). A city is one small key per
// day, so no city is big enough to make its shard hot.

/**
 * The city's identity in a key: Unicode NFC, lower case, spaces collapsed. "São  Paulo" and
 * "são paulo" are one city. Never contains a brace (names are validated first).
 */
export function cityId(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export const weatherKeys = {
  entry: (city: string, date: string) => `weather:{${cityId(city)}}:${date}`,
  lock: (city: string, date: string) => `weather:{${cityId(city)}}:${date}:lock`,
};

/** The part of a key Redis hashes (its hash tag): the city. */
export const hashTagOf = (key: string): string => /\{([^}]*)\}/.exec(key)?.[1] ?? key;
