import { XMLParser, XMLValidator } from "fast-xml-parser";
import { missingArgument, tagMismatch, wellFormed } from "./faults";

/** A parsed element with its namespace resolved: dispatch and lookups use (ns, local), never prefixes. */
export interface XmlElement {
  readonly ns: string | undefined;
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Concatenated direct text content, untrimmed. */
  readonly text: string;
}

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses a request body into a namespace-resolved tree. A DTD is refused outright (SOAP 1.2 forbids a
 * document type declaration in a message, and it keeps entity expansion out of reach).
 */
export function parseXml(body: string): XmlElement {
  if (/<!DOCTYPE/i.test(body)) throw wellFormed("DTD use restricted");
  if (XMLValidator.validate(body) !== true) throw wellFormed();
  const nodes = parser.parse(body) as OrderedNode[];
  const roots = nodes.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) throw wellFormed();
  return resolve(roots[0], new Map([["xml", "http://www.w3.org/XML/1998/namespace"]]));
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@" && k !== "#text");
}

function resolve(node: OrderedNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const qname = elementName(node) as string;
  const rawAttrs = node[":@"] ?? {};
  const scope = new Map(inherited);
  const attrs = new Map<string, string>();
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === "xmlns") scope.set("", value);
    else if (name.startsWith("xmlns:")) scope.set(name.slice(6), value);
    else attrs.set(name, value);
  }
  const colon = qname.indexOf(":");
  const prefix = colon >= 0 ? qname.slice(0, colon) : "";
  const local = colon >= 0 ? qname.slice(colon + 1) : qname;
  const ns = scope.get(prefix);
  if (prefix !== "" && ns === undefined) throw wellFormed(`Unbound namespace prefix ${prefix}`);
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (node[qname] as OrderedNode[] | undefined) ?? []) {
    if ("#text" in child && elementName(child) === undefined) text += String(child["#text"]);
    else if (elementName(child) !== undefined) children.push(resolve(child, scope));
  }
  // xmlns="" undeclares the default namespace: such an element is in no namespace.
  return { ns: ns === "" ? undefined : ns, local, attrs, children, text };
}

/**
 * Children named `local`. A child with that local name in another namespace is a gSOAP `ter:TagMismatch`:
 * lenient on order, strict on namespaces.
 */
export function childrenNamed(parent: XmlElement, ns: string, local: string): XmlElement[] {
  const named = parent.children.filter((c) => c.local === local);
  if (named.some((c) => c.ns !== ns)) throw tagMismatch();
  return named;
}

export function optionalChild(parent: XmlElement, ns: string, local: string): XmlElement | undefined {
  const found = childrenNamed(parent, ns, local);
  if (found.length > 1) throw tagMismatch();
  return found[0];
}

export function requiredChild(parent: XmlElement, ns: string, local: string): XmlElement {
  const found = optionalChild(parent, ns, local);
  if (!found) throw missingArgument(local);
  return found;
}

/** Trimmed text, the way gSOAP reads xs:string/xs:token leaves sent by clients with pretty-printed bodies. */
export function textOf(element: XmlElement): string {
  return element.text.trim();
}

export function optionalText(parent: XmlElement, ns: string, local: string): string | undefined {
  const found = optionalChild(parent, ns, local);
  return found ? textOf(found) : undefined;
}

export function requiredText(parent: XmlElement, ns: string, local: string): string {
  return textOf(requiredChild(parent, ns, local));
}
