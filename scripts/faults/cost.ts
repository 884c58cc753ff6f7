// What a fault may cost, as data: the catalogue says which rule applies to each fault, the chaos
// checker and the tour apply it. Cost is counted per operation, so a workload with state (a
// counter, a chat) reports what it lost, doubled or reordered beside what merely failed.

/** What a workload saw of its operations through a fault. */
export interface OperationTally {
  /** Answered as done. */
  acknowledged: number;
  /** Answered as not done (an error page, a refused connection). */
  failed: number;
  /** No answer (a timeout): done or not, the client cannot tell. */
  unknown: number;
  /** Acknowledged, then missing from the final state. */
  lost: number;
  /** Applied twice (a retried increment counted twice). */
  doubled: number;
  /** Seen in another order than acknowledged. */
  reordered: number;
}

export const emptyTally = (): OperationTally => ({ acknowledged: 0, failed: 0, unknown: 0, lost: 0, doubled: 0, reordered: 0 });

/** The time bounds the cost rules refer to, ms. */
export const defaultBounds = {
  /** After a fault, and after its restore, the VIP answers again within this. */
  servedWithinMs: 2000,
  /**
   * Hard LB kill (F1) and HAProxy kill (F2) on the VIP holder: requests in flight at the kill lose
   * their connection (VRRP does not carry TCP state, and the new MASTER answers the old
   * connection's packets with RST), and requests started before the backup took the VIP
   * (3 × advert_int + skew ≈ 72 ms; a dead HAProxy under a live keepalived refuses at once until
   * then) can fail. 1 s covers that takeover with a wide margin; a failure later is a violation.
   */
  takeoverToleranceMs: 1000,
  /**
   * Graceful LB stop (F3): keepalived hands over first (priority 0), so only a request already in
   * flight, or one that raced the stop by a few ms, may lose its connection.
   */
  gracefulToleranceMs: 250,
  /** After a partition heals, the extra MASTER yields within a few adverts (ARP caches follow). */
  healToleranceMs: 1000,
  /**
   * After a partition of the LBs heals, the longest gap between answers through the VIP: the
   * MASTER that keeps the VIP announces it again at once (vrrp_garp_lower_prio_*), so neighbours
   * that followed the loser come back within a few adverts (docs/architecture.md#gratuitous-arp).
   */
  healServedWithinMs: 500,
  /** After both backends are back (F8), the second HAProxy's health checks may lag the first's. */
  restoreToleranceMs: 2000,
  /** Status must be readable at every moment: no sample may fail, and none may be this late. */
  statusGapMs: 3000,
} as const;

export type Bounds = typeof defaultBounds;

/**
 * When operations may fail:
 *  - `none`: never (a backend fault: HAProxy retries elsewhere);
 *  - `takeover`: only when the target held the VIP, from the fault until `bound` after it;
 *  - `until-healed`: from the fault until `bound` after the heal (`httpOnly`: as error pages only,
 *    never a hang or a reset).
 */
export type FailureRule =
  | { kind: 'none' }
  | { kind: 'takeover'; bound: 'takeoverToleranceMs' | 'gracefulToleranceMs' }
  | { kind: 'until-healed'; bound: 'healToleranceMs' | 'restoreToleranceMs'; httpOnly?: boolean };

export interface Cost {
  failures: FailureRule;
  /**
   * Two VIP holders are expected while the fault lasts and until `healToleranceMs` after its heal;
   * from the heal on, the VIP serves with no gap longer than `healServedWithinMs`.
   */
  splitBrain?: boolean;
  /**
   * The shortener's clicks that may be lost (U5: the ones its wiped Redis had not sent yet, at
   * most a batch of a link); a redirect served is still never counted twice.
   */
  clicksLost?: 'unsent-batch';
  /** Acknowledged operations lost, doubled or reordered: the kit's budget for every fault is 0. */
  lost: 0;
  doubled: 0;
  reordered: 0;
}
