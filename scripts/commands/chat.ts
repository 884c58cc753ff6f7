// `hakit chat load`: the chat under a load of users, one or more of them writing 100× the others,
// and where their messages landed. The body is in run/chat.ts, loaded when the command runs.
import { InvalidArgumentError, type Command } from 'commander';
import { lazyAction } from './lazy.js';

const positive = (name: string, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
  return n;
};

export function registerChatCommands(program: Command): void {
  const chat = program.command('chat').description('the chat on the Redis Cluster (hakit up --with chat): /chat?room=NAME through the VIP');
  chat
    .command('load')
    .description(
      "users chatting in rooms through the VIP over WebSockets, --heavy of them writing 100× the average of the others; then where the heavy users' messages landed, per primary, and what the chat lost, doubled or reordered",
    )
    .option('--users <n>', 'users, each one connection in one room', positive('--users', 5000), 200)
    .option(
      '--heavy <n>',
      'of them, users who write 100× the average (all in the first room, through --heavy-connections each)',
      positive('--heavy', 100),
      1,
    )
    .option('--rooms <n>', 'rooms the users are spread over', positive('--rooms', 1000), 20)
    .option(
      '--messages <n>',
      'messages the heavy users send in all; each other user sends a hundredth of one heavy user',
      positive('--messages', 1_000_000),
      20_000,
    )
    .option('--rate <n>', 'messages per second over all users (bounded by the per-connection limit, 20/s)', positive('--rate', 5000), 300)
    .option('--heavy-connections <n>', 'connections each heavy user writes through', positive('--heavy-connections', 200), 20)
    .option('--max-seconds <n>', 'stop sending after this long whatever is left', positive('--max-seconds', 3600), 900)
    .option('--json', 'print JSON for scripts')
    .action(lazyAction(async () => (await import('./run/chat.js')).chatLoad));
}
