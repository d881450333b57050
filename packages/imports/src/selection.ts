import type { ImportMapping, SkipRule } from './mapping.js';
import type { Cell } from './readers/table.js';
import type { RowReader } from './rows.js';

interface Section {
  readonly include?: ImportMapping['skip'][number]['when'] | undefined;
  readonly excludedReason?: string | undefined;
  readonly skip: readonly SkipRule[];
}

/**
 * Which rows an import leaves out, and why: first the section's `include` (a row outside it is
 * counted under `excludedReason`), then the mapping-wide skip rules, then the section's own.
 * Returns the reason, or null for a row to import.
 */
export function compileSelection(
  reader: RowReader,
  mapping: ImportMapping,
  section: Section,
  defaultExcludedReason: string,
): (cells: readonly Cell[]) => string | null {
  const include = section.include ? reader.condition(section.include) : null;
  const excludedReason = section.excludedReason ?? defaultExcludedReason;
  const rules = [...mapping.skip, ...section.skip].map((rule) => ({
    reason: rule.reason,
    test: reader.condition(rule.when),
  }));
  return (cells) => {
    if (include && !include(cells)) return excludedReason;
    return rules.find((rule) => rule.test(cells))?.reason ?? null;
  };
}
