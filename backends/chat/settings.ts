// The chat's settings from a backend's environment; every one has a default that fits the kit's
// node timeout (docs/architecture.md#the-chat).
import { intSetting } from '../cluster/settings.js';
import type { Env } from '../redis/settings.js';
import { defaultChatSettings, type ChatSettings } from './service.js';

export function chatSettingsFromEnv(env: Env): ChatSettings {
  const d = defaultChatSettings;
  return {
    store: {
      waitMs: intSetting(env, 'CHAT_WAIT_MS', d.store.waitMs, 1, 10_000),
      writeDeadlineMs: intSetting(env, 'CHAT_WRITE_DEADLINE_MS', d.store.writeDeadlineMs, 100, 60_000),
      commandTimeoutMs: intSetting(env, 'CHAT_COMMAND_TIMEOUT_MS', d.store.commandTimeoutMs, 20, 10_000),
      maxScanBlocks: d.store.maxScanBlocks,
    },
    hub: {
      tickMs: intSetting(env, 'CHAT_TICK_MS', d.hub.tickMs, 50, 60_000),
      gapWaitMs: d.hub.gapWaitMs,
    },
    connection: {
      ...d.connection,
      ratePerSecond: intSetting(env, 'CHAT_RATE_PER_SECOND', d.connection.ratePerSecond, 1, 10_000),
      rateBurst: intSetting(env, 'CHAT_RATE_BURST', d.connection.rateBurst, 1, 10_000),
    },
    serverPingMs: intSetting(env, 'CHAT_SERVER_PING_MS', d.serverPingMs, 1000, 600_000),
  };
}
