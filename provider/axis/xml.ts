import { XMLParser } from "fast-xml-parser";

/** An element with its namespace resolved: what we match on, whatever prefix the peer chose. */
export interface XmlElement {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** In-scope prefix → namespace, to resolve QName text such as "SOAP-ENV:Sender". */
  scope: Record<string, string>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

/** Parses XML text into a namespace-resolved tree; throws on text that is not well-formed XML. */
export function parseXml(text: string): XmlElement {
  const nodes = parser.parse(text, true) as OrderedNode[];
  const root = nodes.find((n) => elementName(n) !== undefined);
  if (!root) throw new Error("no root element");
  return resolve(root, { xml: "http://www.w3.org/XML/1998/namespace" });
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@" && k !== "#text" && !k.startsWith("?"));
}

function resolve(node: OrderedNode, parentScope: Record<string, string>): XmlElement {
  const name = elementName(node) as string;
  const rawAttrs = node[":@"] ?? {};
  // Scopes are shared with the parent until an element declares a namespace: a SOAP envelope from a camera
  // declares a hundred prefixes, and copying them into every element cost more than the parse itself.
  let scope = parentScope;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k !== "xmlns" && !k.startsWith("xmlns:")) {
      attrs[k] = v;
      continue;
    }
    if (scope === parentScope) scope = { ...parentScope };
    scope[k === "xmlns" ? "" : k.slice(6)] = v;
  }
  const [prefix, local] = name.includes(":") ? name.split(":", 2) : ["", name];
  const ns = scope[prefix];
  if (ns === undefined && prefix !== "") throw new Error(`undeclared namespace prefix "${prefix}"`);
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (node[name] as OrderedNode[]) ?? []) {
    if ("#text" in child) text += String(child["#text"]);
    else if (elementName(child) !== undefined) children.push(resolve(child, scope));
  }
  return { ns: ns ?? "", local, attrs, children, text, scope };
}

/** Children in a namespace with a local name. */
export function childrenOf(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.local === local) : [];
}

export function childOf(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return childrenOf(el, ns, local)[0];
}

/** Trimmed text of a child, or undefined when the child is absent. */
export function childText(el: XmlElement | undefined, ns: string, local: string): string | undefined {
  const c = childOf(el, ns, local);
  return c === undefined ? undefined : c.text.trim();
}

/** Resolves QName text ("ter:ActionNotSupported") against the element's scope. */
export function qnameOf(el: XmlElement, value: string): { ns: string; local: string } {
  const v = value.trim();
  const [prefix, local] = v.includes(":") ? v.split(":", 2) : ["", v];
  return { ns: el.scope[prefix] ?? "", local };
}
