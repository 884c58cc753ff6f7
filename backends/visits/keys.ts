// The visit counter's keys. The day's counter keeps the course's own name, so its check
// (`GET page:index:counter:<day>` on each node) reads ours. No hash tags ({…}): the data nodes are
// one primary and its replicas (Sentinel), not a Cluster, so a script may touch any keys.
//   page:index:counter:YYYY-MM-DD   string   views that day (INCR)
//   page:index:visitors:YYYY-MM-DD  HLL      visitor ids that day (PFADD/PFCOUNT, ~0.81 % error)
//   page:index:log:YYYY-MM-DD       list     newest first, capped: JSON {t, v, s, lb}
//   page:index:req:<request id>     string   "count uniques" shown for that request, 300 s
export const visitKeys = {
  counter: (day: string) => `page:index:counter:${day}`,
  visitors: (day: string) => `page:index:visitors:${day}`,
  log: (day: string) => `page:index:log:${day}`,
  request: (id: string) => `page:index:req:${id}`,
};

/** How long a request id is remembered: longer than any retry or client resend of that request. */
export const requestIdTtlSeconds = 300;
