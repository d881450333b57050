import { z } from 'zod';

/** The grade an inspection gives a returned unit; it decides which way the unit goes next. */
export const gradeSchema = z.enum(['resellable', 'repairable', 'defective', 'customer-damaged', 'scrap']);
export type Grade = z.infer<typeof gradeSchema>;

/** Grades that send a unit to its vendor; the others wait for a disposition. */
export function goesToVendor(grade: Grade): boolean {
  return grade === 'repairable' || grade === 'defective';
}
