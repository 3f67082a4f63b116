import type { ApplianceState, ObjectKind } from "./model";
import { collectionOf, referencesOf } from "./model";

export interface ReclaimSwitches {
  /** Documented: "After you commit the transaction, SPS will automatically delete the old password/…". */
  reclaimUnreferenced: boolean;
  /** Not documented either way (wire notes §7): objects created and never referenced. */
  purgeNeverReferenced: boolean;
}

const KINDS: ObjectKind[] = ["password", "private_key", "x509"];

/** Deletes, in place, the objects the switches say a commit removes; returns what went. */
export function reclaim(
  state: ApplianceState,
  switches: ReclaimSwitches,
): Array<{ kind: ObjectKind; key: string }> {
  const referenced = new Set(referencesOf(state).map((r) => `${r.kind}:${r.key}`));
  const removed: Array<{ kind: ObjectKind; key: string }> = [];
  for (const kind of KINDS) {
    const collection = collectionOf(state, kind);
    for (const [key, object] of collection) {
      if (referenced.has(`${kind}:${key}`)) continue;
      const goes = object.everReferenced ? switches.reclaimUnreferenced : switches.purgeNeverReferenced;
      if (goes) {
        collection.delete(key);
        removed.push({ kind, key });
      }
    }
  }
  return removed;
}

/** Marks every currently referenced object, so a later un-reference counts as "old", not "never used". */
export function markReferenced(state: ApplianceState): void {
  for (const ref of referencesOf(state)) {
    const object = collectionOf(state, ref.kind).get(ref.key);
    if (object) object.everReferenced = true;
  }
}
