import { NS } from "../namespaces";
import type { XmlElement } from "../xmlReader";
import { acertificatesOperations } from "./acertificates";
import { awebOperations } from "./aweb";
import type { OperationHandler } from "./context";
import { tdsOperations } from "./tds";

const byNamespace: ReadonlyMap<string, Readonly<Record<string, OperationHandler>>> = new Map([
  [NS.tds, tdsOperations],
  [NS.acertificates, acertificatesOperations],
  [NS.aweb, awebOperations],
]);

/** The handler for an operation element, chosen by namespace URI + local name; undefined → ActionNotSupported. */
export function findOperation(element: XmlElement): OperationHandler | undefined {
  const table = element.ns === undefined ? undefined : byNamespace.get(element.ns);
  return table && Object.hasOwn(table, element.local) ? table[element.local] : undefined;
}

export type { OperationContext, OperationHandler, OperationSettings } from "./context";
