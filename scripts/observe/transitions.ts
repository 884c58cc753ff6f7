// keepalived's notify script appends "epoch-ms instance state priority" lines; this reads them.

export interface Transition {
  atMs: number;
  instance: string;
  state: string;
  priority: number | undefined;
}

export function parseTransitions(text: string | undefined): Transition[] {
  if (!text) return [];
  const out: Transition[] = [];
  for (const line of text.split('\n')) {
    const [at, instance, state, priority] = line.trim().split(/\s+/);
    if (!at || !instance || !state || !/^\d+$/.test(at)) continue;
    out.push({ atMs: Number(at), instance, state, priority: priority && /^\d+$/.test(priority) ? Number(priority) : undefined });
  }
  return out;
}
