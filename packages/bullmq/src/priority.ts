/**
 * Offload priorities (any finite number, higher first, default 0) as BullMQ
 * priorities (integers 1..2,097,151, lower first; 0 means "none" and runs
 * ahead of every prioritized job).
 * @module
 */

/** BullMQ's highest priority value (runs last). */
export const BULLMQ_MAX_PRIORITY = 2_097_151;
/** Where Offload's priority 0 lands: the middle of BullMQ's range. */
export const BULLMQ_DEFAULT_PRIORITY = 1_048_576;

/**
 * Map an Offload priority to BullMQ's: `1_048_576 - round(priority)`, clamped
 * to 1..2,097,151. Every job of an Offload executor is prioritized (never 0),
 * so that priority 0 does not jump ahead of higher ones. Priorities beyond
 * about ±1,048,575 share the end of the range; fractions are rounded.
 */
export function toBullPriority(priority: number): number {
  const p = BULLMQ_DEFAULT_PRIORITY - Math.round(priority);
  return Math.min(BULLMQ_MAX_PRIORITY, Math.max(1, p));
}
