// Apply phase, per-change execution: carries out one planned change with its provider. Each
// provider call has one place here (createObject, updateObject, destroyObject, the provider's
// own replace); the sequences around them decide what the state says at every step:
//   delete                        destroy, entry removed
//   replace (destroy first)       destroy, entry removed; create, entry recorded
//   replace (create_before_destroy) old object deposed; create, entry recorded; destroy the
//                                 deposed copy, its record dropped (a failed create deposes nothing)
//   create / update               entry recorded
// Every step that changed something is saved before the next starts.
import type { Change } from "../plan/change.js";
import type { ApplyContext, Attrs, AttrPath, ResourceType } from "../provider/types.js";
import { changeId } from "./apply-order.js";
import { progressTag, withProgress, type ProgressKind } from "./apply-progress.js";
import type { ApplyRecorder } from "./apply-record.js";
import { InconsistentResultError, verifyResult } from "./verify-result.js";

/** What executing a change needs from the run. */
export interface ChangeEnv {
  recorder: ApplyRecorder;
  /** The provider context for the change (runners, intents, log lines). */
  contextFor(c: Change): ApplyContext;
  /** The resource's configuration evaluated now, with the values finished changes produced. */
  evaluateNow(c: Change): { config?: Attrs; sensitivePaths: AttrPath[] };
  /** Sensitive values seen, redacted from error messages. */
  addSecrets(attrs: Attrs | null | undefined, paths: AttrPath[]): void;
  out: (line: string) => void;
  /** Attributes the provider declared it left the plan for, knowingly (ApplyContext.deviates). */
  deviationsOf: (c: Change) => AttrPath[];
}

/** What a change counted for the summary. */
export interface ChangeCounts {
  added: number;
  changed: number;
  destroyed: number;
}

export async function executeChange(c: Change, type: ResourceType, env: ChangeEnv): Promise<ChangeCounts> {
  const ctx = env.contextFor(c);
  const { recorder } = env;
  // The reviewed operations (Diff.operations) go to the provider as the plan holds them.
  const ops = c.operations ? { operations: c.operations } : {};
  const step = <T>(kind: ProgressKind, fn: () => Promise<T>, tagOf: (r: T) => string, label = c.address): Promise<T> => withProgress(label, c, type, kind, env.out, fn, tagOf);
  const destroyObject = () =>
    step(
      "delete",
      () => type.delete({ address: c.address, prior: c.before! }, ctx),
      () => "",
      changeId(c),
    );
  const createObject = (config: Attrs) =>
    step(
      "create",
      () => type.create({ address: c.address, config, planned: c.after!, ...ops }, ctx),
      (a) => progressTag(type, a),
    );
  const updateObject = (config: Attrs) =>
    step(
      "update",
      () => type.update!({ address: c.address, config, prior: c.before!, planned: c.after!, ...ops }, ctx),
      (a) => progressTag(type, a),
    );

  /** Records what the provider returned (saved at once), then checks it against the plan. */
  const record = async (attrs: Attrs, sensitivePaths: AttrPath[], counts: ChangeCounts): Promise<ChangeCounts> => {
    await recorder.saved(c, type, attrs, sensitivePaths);
    // Saved first: a result the plan did not predict still names an object that exists, and the
    // summary counts it as saved (the error carries the counts).
    const inconsistent = verifyResult({
      address: c.address,
      prior: c.before,
      planned: c.after,
      actual: attrs,
      sensitivePaths: [...c.sensitivePaths, ...sensitivePaths],
      deviations: env.deviationsOf(c),
    });
    if (inconsistent) throw new InconsistentResultError(inconsistent, counts);
    return counts;
  };

  env.addSecrets(c.before, c.sensitivePaths);
  if (c.action === "delete") {
    await destroyObject();
    await recorder.destroyed(c);
    return { added: 0, changed: 0, destroyed: 1 };
  }
  const { config, sensitivePaths } = env.evaluateNow(c);
  env.addSecrets(config, sensitivePaths);
  if (!config) throw new Error("it is no longer in the configuration; plan again");

  if (c.action === "replace" && type.replace) {
    // The provider replaces in its own order (e.g. OCI: create the new container, move the
    // data volumes over, destroy the old one last) and records its own intents.
    const attrs = await step(
      "create",
      () => type.replace!({ address: c.address, config, prior: c.before!, planned: c.after!, ...ops }, ctx),
      (a) => progressTag(type, a),
    );
    return record(attrs, sensitivePaths, { added: 1, changed: 0, destroyed: 1 });
  }
  if (c.action === "replace" && c.createBeforeDestroy) {
    const key = recorder.state.depose(c.address);
    let attrs: Attrs;
    try {
      attrs = await createObject(config);
    } catch (e) {
      // The old object stays the current one; a failed create deposes nothing.
      if (key) recorder.state.dropDeposed(c.address, key);
      await recorder.save();
      throw e;
    }
    // The deposed copy is left for the next apply when the result differs (as before).
    await record(attrs, sensitivePaths, { added: 1, changed: 0, destroyed: 0 });
    await destroyObject();
    if (key) recorder.state.dropDeposed(c.address, key);
    await recorder.save();
    return { added: 1, changed: 0, destroyed: 1 };
  }
  if (c.action === "replace") {
    await destroyObject();
    await recorder.destroyed(c);
    return record(await createObject(config), sensitivePaths, { added: 1, changed: 0, destroyed: 1 });
  }
  if (c.action === "create") {
    return record(await createObject(config), sensitivePaths, { added: 1, changed: 0, destroyed: 0 });
  }
  if (c.action === "update") {
    if (!type.update) throw new Error(`${c.type} cannot be updated in place`);
    return record(await updateObject(config), sensitivePaths, { added: 0, changed: 1, destroyed: 0 });
  }
  return { added: 0, changed: 0, destroyed: 0 };
}
