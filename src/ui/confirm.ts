// The web view's apply confirmation: the user types the plan's counts ("2 to add, 1 to change,
// 1 to destroy"), so applying takes reading what the plan does. Spacing, case and a final full
// stop or a leading "Plan:" are forgiven; a different number is not.
export function normalisePhrase(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^plan:\s*/, "")
    .replace(/\.$/, "")
    .replace(/\s*,\s*/g, ", ")
    .replace(/\s+/g, " ");
}

export function confirmationMatches(typed: string, expected: string): boolean {
  return normalisePhrase(typed) === normalisePhrase(expected);
}
