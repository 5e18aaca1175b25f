/** Each column's width: its longest cell, over every row (the header included). */
export function columnWidths(rows: ReadonlyArray<ReadonlyArray<string>>): number[] {
  return rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
}
