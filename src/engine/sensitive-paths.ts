// Which paths of an instance's planned and recorded attributes are secret: the configuration's
// sensitive paths, plus the attribute paths the type says hold those values under other names
// (ResourceType.sensitiveAttributePaths). The plan hides them, the plan file nulls them, the
// state marks them and references to them are sensitive.
import type { AttrPath, ResourceType } from "../provider/types.js";

export function attributeSensitivePaths(type: ResourceType | undefined, configured: readonly AttrPath[]): AttrPath[] {
  const extra = configured.length && type?.sensitiveAttributePaths ? type.sensitiveAttributePaths(configured) : [];
  if (!extra.length) return configured as AttrPath[];
  const key = (p: AttrPath) => JSON.stringify(p);
  const seen = new Set(configured.map(key));
  return [...configured, ...extra.filter((p) => !seen.has(key(p)))];
}
