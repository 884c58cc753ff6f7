// Options several commands share.

/** `--with`: the opt-in features of a stack the command starts (scripts/stack/features.ts). */
export const withFlags = '--with <features>';
export const withHelp = (starts: string) =>
  `opt-in parts of ${starts}, comma-separated: weather, chat, shortener, or all (a stack that is up keeps its own)`;
