/**
 * @module front
 * What the catalog reads of a run's `front.json` (written by the search): the objectives
 * with their directions, the reference point, the recorded hypervolume and each member's
 * objective values. Other fields (sub-networks, details) are left to the report.
 */
import { z } from 'zod';

/** The front file's name in a run's folder. */
export const FRONT_FILE = 'front.json';

const objectiveSchema = z.object({ name: z.string().min(1), direction: z.enum(['minimize', 'maximize']) });

export const frontFileSchema = z
  .object({
    objectives: z.array(objectiveSchema).min(1),
    /** In the objectives' declared units and order; absent before the search fixed one. */
    reference: z.array(z.number()).nullish(),
    hypervolume: z.number().nullish(),
    members: z.array(z.object({ index: z.number().int().optional(), objectives: z.record(z.string(), z.number()) })),
  })
  .superRefine((front, ctx) => {
    if (front.reference && front.reference.length !== front.objectives.length) {
      ctx.addIssue({ code: 'custom', path: ['reference'], message: `has ${front.reference.length} values for ${front.objectives.length} objectives` });
    }
    front.members.forEach((member, i) => {
      const missing = front.objectives.filter((o) => member.objectives[o.name] === undefined).map((o) => o.name);
      if (missing.length > 0) ctx.addIssue({ code: 'custom', path: ['members', i, 'objectives'], message: `lacks ${missing.join(', ')}` });
    });
  });

export type FrontFile = z.output<typeof frontFileSchema>;
export type FrontObjective = z.output<typeof objectiveSchema>;
