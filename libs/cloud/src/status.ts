/**
 * @module status
 * A cloud run's status record, `runs/<id>/status.json`: written by the trigger (submitted or
 * rejected), then by the worker (running with its stage, succeeded, failed), and read by
 * `carve cloud status`. It sits beside the catalog's manifest, which says what the run
 * produced; the status says where the job is.
 */
import { z } from 'zod';

export const CLOUD_STATES = ['submitted', 'rejected', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type CloudState = (typeof CLOUD_STATES)[number];

/** States after which nothing more happens to a run unless it is submitted again. */
export const FINAL_STATES: readonly CloudState[] = ['rejected', 'succeeded', 'failed', 'cancelled'];

export const statusRecordSchema = z
  .object({
    format: z.literal(1),
    id: z.string().min(1),
    state: z.enum(CLOUD_STATES),
    /** The request's key in the bucket. */
    request: z.string().min(1),
    /** Which put of the request this is about (its S3 version id, else its event sequencer): a repeated event names the same one. */
    requestVersion: z.string().optional(),
    /** When the record was written (ISO 8601). */
    updated: z.string().min(1),
    /** The Batch job: its name, and its id once submitted. */
    job: z.object({ name: z.string().min(1), id: z.string().optional(), queue: z.string().optional(), attempt: z.number().int().positive().optional() }).strict().optional(),
    /** The stage running (state running), or the stage that failed. */
    stage: z.string().optional(),
    /** Every problem of a rejected request, each with its path in the spec. */
    problems: z.array(z.string()).optional(),
    /** Why a run failed. */
    error: z.string().optional(),
    /** The execution provider and device the worker chose. */
    device: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type StatusRecord = z.infer<typeof statusRecordSchema>;
