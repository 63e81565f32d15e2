// Tag list normalisation as Proxmox stores it (default tag-style): split on ; , or whitespace,
// lower-case, de-duplicate, sort, join with ';'.

export function splitTags(text: string): string[] {
  return text.split(/[;,\s]+/).filter(Boolean);
}

export function normalizeTags(text: string): string {
  const set = new Set(splitTags(text).map((t) => t.toLowerCase()));
  return [...set].sort().join(";");
}
