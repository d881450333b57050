/** `cycle_cases.end_at` while a unit of the case is still open: after any business time. */
const OPEN = Number.MAX_SAFE_INTEGER;

/**
 * `cycle_cases` rows computed from `cycle_units`, one per case: the deciding unit comes from a
 * query with a single MAX(), whose bare columns are its row's; `changed_at` from a subquery.
 */
const cycleCasesOf = (where: string) => `INSERT OR REPLACE INTO cycle_cases
    (case_id, unit_id, vendor_id, pm_id, first_due_at, promised_by, end_at, open_units, changed_at)
  SELECT d.*, (SELECT MAX(MAX(first_dispatched_at), COALESCE(MAX(completed_at), 0), COALESCE(MAX(promise_set_at), 0))
                FROM cycle_units u WHERE u.case_id = d.case_id)
  FROM (SELECT case_id, unit_id, vendor_id, pm_id, first_due_at, promised_by,
               MAX(COALESCE(completed_at, ${OPEN})), SUM(completed_at IS NULL)
        FROM cycle_units ${where} GROUP BY case_id) AS d`;

/** Recomputes one case's row (`@caseId`) after any change to its units; run with `NOTE_CYCLE_CASE_WRITTEN`. */
export const REFRESH_CYCLE_CASE = cycleCasesOf('WHERE case_id = @caseId');

/** Gives the case (`@caseId`) the next rowid of `cycle_case_writes`: it was written last. */
export const NOTE_CYCLE_CASE_WRITTEN = 'INSERT OR REPLACE INTO cycle_case_writes (case_id) VALUES (@caseId)';

/** Computes every case's row at once, after a bulk load. */
export const FILL_CYCLE_CASES = `${cycleCasesOf('')};
  INSERT INTO cycle_case_writes (case_id) SELECT case_id FROM cycle_cases`;
