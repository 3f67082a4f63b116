/**
 * Serialises response trees the way the gSOAP server of AXIS OS does: no whitespace between elements,
 * an empty *string* leaf as `<x/>` (capture: `<SOAP-ENV:Text xml:lang="en"/>`), an empty *struct* as
 * `<x></x>` (capture: `<acert:CACertificates></acert:CACertificates>`).
 *
 * fast-xml-parser's builder only offers one global choice for empty elements, so this small writer is used
 * instead; every text and attribute value goes through the escapes below, and element/attribute names
 * are compile-time constants of the simulator, never request data.
 */
export type XmlNode = XmlStruct | XmlLeaf;

export interface XmlStruct {
  readonly kind: "struct";
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

export interface XmlLeaf {
  readonly kind: "leaf";
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly text: string;
}

/** An element holding other elements (a schema complex type). */
export function struct(
  name: string,
  children: readonly XmlNode[] = [],
  attrs?: Record<string, string>,
): XmlStruct {
  return { kind: "struct", name, children, attrs };
}

/** An element holding text (a schema simple type). */
export function leaf(name: string, text: string, attrs?: Record<string, string>): XmlLeaf {
  return { kind: "leaf", name, text, attrs };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/;

export function escapeText(value: string): string {
  return value.replace(
    /[&<>\r]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" })[c] ?? c,
  );
}

export function escapeAttribute(value: string): string {
  return value.replace(
    /[&<"\t\n\r]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" })[c] ?? c,
  );
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid XML name ${JSON.stringify(name)}`);
  return name;
}

function attributes(attrs: Readonly<Record<string, string>> | undefined): string {
  if (!attrs) return "";
  return Object.entries(attrs)
    .map(([k, v]) => ` ${checkName(k)}="${escapeAttribute(v)}"`)
    .join("");
}

export function serialize(node: XmlNode): string {
  const name = checkName(node.name);
  const open = `<${name}${attributes(node.attrs)}`;
  if (node.kind === "leaf") {
    return node.text === "" ? `${open}/>` : `${open}>${escapeText(node.text)}</${name}>`;
  }
  return `${open}>${node.children.map(serialize).join("")}</${name}>`;
}
