// How image IDs and byte counts are shown to people, the same in every script.

/** The 12 hex digits Docker shows for an image ID (`sha256:0123456789ab…` → `0123456789ab`); `-` for none. */
export function shortId(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : '-';
}

/** Decimal kB below 1 MB, else MB, one decimal; a value not measured shows as a dash. */
export function megabytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
