import { semanticError } from "../http/errors";
import type { ApplianceState, ObjectKind, Place } from "./model";
import { collectionOf, referencesOf } from "./model";

export const COLLECTION_PATH: Record<ObjectKind, string> = {
  password: "/api/configuration/passwords",
  private_key: "/api/configuration/private_keys",
  x509: "/api/configuration/x509",
};

export function placeLabel(place: Place): string {
  if (place.startsWith("user:"))
    return `/api/configuration/aaa/local_database/users/${place.slice(5)} password`;
  if (place === "root_password") return "/api/configuration/management/root_password";
  if (place === "ca") return "/api/configuration/management/certificates ca.x509_identity";
  return `/api/configuration/management/certificates ${place}`;
}

/**
 * A candidate configuration is acceptable when every reference names an existing object of the right kind
 * and no object is referenced from two places ("you cannot reference a password object twice").
 * [N] the real error types for both cases are undocumented; 400 SemanticError is chosen for both.
 */
export function assertReferencesValid(state: ApplianceState): void {
  const seen = new Map<string, Place>();
  for (const ref of referencesOf(state)) {
    if (!collectionOf(state, ref.kind).has(ref.key)) {
      throw semanticError(`The referenced object does not exist: ${COLLECTION_PATH[ref.kind]}/${ref.key}`, {
        path: placeLabel(ref.place),
        key: ref.key,
      });
    }
    const id = `${ref.kind}:${ref.key}`;
    const other = seen.get(id);
    if (other !== undefined) {
      throw semanticError(
        `The object ${COLLECTION_PATH[ref.kind]}/${ref.key} is already referenced; an object can be referenced only once.`,
        { key: ref.key, referenced_from: placeLabel(other), path: placeLabel(ref.place) },
      );
    }
    seen.set(id, ref.place);
  }
}
