// The stats user as HAProxy reads it: /run/hakit/stats-users.cfg, loaded after haproxy.cfg. The
// LB entrypoint writes it at start from STATS_USER / STATS_PASSWORD (write_stats_users, the same
// format); `hakit creds --rotate` rewrites it and reloads, because a reload re-reads files while
// the master's environment stays what it was at start (docs/architecture.md#reload).
import { ExitCode, HakitError } from '../../errors.js';
import type { Credentials } from '../../runtime/runtime.js';

/** Its name in the node's /run/hakit. */
export const STATS_USERS_FILE = 'stats-users.cfg';

/**
 * The file's text. Single quotes: HAProxy takes the text literally (no escapes, no environment
 * expansion), so a value only must not hold a single quote (generated passwords are base64url).
 */
export function statsUsersConfig({ user, password }: Credentials): string {
  if (`${user}${password}`.includes("'"))
    throw new HakitError('the stats user and password must not contain a single quote', ExitCode.usage);
  return `userlist stats_users\n    user '${user}' insecure-password '${password}'\n`;
}
