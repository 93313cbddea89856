/**
 * A small XML reader for device answers: elements by local name (namespaces vary by firmware:
 * `hikvision.com/ver20`, `isapi.org/ver20`, `std-cgi.org/ver20`, none), attributes, text with the
 * five predefined entities and numeric references decoded once. Not a validating parser: a device
 * answer that does not nest is refused.
 */
export interface XmlElement {
  /** The name without its prefix. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The decoded text directly inside this element (children's text not included). */
  readonly text: string;
}

/** An element while it is being read. */
interface OpenElement {
  name: string;
  attributes: Record<string, string>;
  children: OpenElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes `&amp;` and friends exactly once; an unknown entity stays as written. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return safeCodePoint(Number.parseInt(body.slice(2), 16)) ?? whole;
    if (body.startsWith('#')) return safeCodePoint(Number.parseInt(body.slice(1), 10)) ?? whole;
    return ENTITIES[body] ?? whole;
  });
}

function safeCodePoint(value: number): string | undefined {
  return Number.isInteger(value) && value > 0 && value <= 0x10ffff ? String.fromCodePoint(value) : undefined;
}

/** Escapes text for an element's content or an attribute: `&`, `<`, `>`, `"` once. */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

const MAX_DEPTH = 64;

/** Parses a document; undefined when it is not well-formed enough to trust. */
export function parseXml(input: string): XmlElement | undefined {
  const root: OpenElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: OpenElement[] = [root];
  let index = 0;
  while (index < input.length) {
    const open = input.indexOf('<', index);
    const textEnd = open < 0 ? input.length : open;
    if (textEnd > index) {
      const top = stack[stack.length - 1] as OpenElement;
      top.text += decodeXmlText(input.slice(index, textEnd));
    }
    if (open < 0) break;
    if (input.startsWith('<!--', open)) {
      const end = input.indexOf('-->', open + 4);
      if (end < 0) return undefined;
      index = end + 3;
      continue;
    }
    if (input.startsWith('<![CDATA[', open)) {
      const end = input.indexOf(']]>', open + 9);
      if (end < 0) return undefined;
      (stack[stack.length - 1] as OpenElement).text += input.slice(open + 9, end);
      index = end + 3;
      continue;
    }
    if (input.startsWith('<?', open) || input.startsWith('<!', open)) {
      const end = input.indexOf('>', open);
      if (end < 0) return undefined;
      index = end + 1;
      continue;
    }
    const close = findTagEnd(input, open + 1);
    if (close < 0) return undefined;
    const tag = input.slice(open + 1, close);
    index = close + 1;
    if (tag.startsWith('/')) {
      const name = localName(tag.slice(1).trim());
      const top = stack.pop();
      if (top === undefined || stack.length === 0 || top.name !== name) return undefined;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^[^\s/>]+/.exec(body);
    if (!nameMatch) return undefined;
    const element: OpenElement = { name: localName(nameMatch[0]), attributes: parseAttributes(body.slice(nameMatch[0].length)), children: [], text: '' };
    (stack[stack.length - 1] as OpenElement).children.push(element);
    if (!selfClosing) {
      if (stack.length > MAX_DEPTH) return undefined;
      stack.push(element);
    }
  }
  if (stack.length !== 1) return undefined;
  const elements = root.children;
  return elements.length === 1 ? elements[0] : undefined;
}

/** The `>` that ends a tag, skipping quoted attribute values. */
function findTagEnd(input: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < input.length; index += 1) {
    const char = input[index];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '>') {
      return index;
    }
  }
  return -1;
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    const name = match[1] as string;
    if (name.startsWith('xmlns')) continue;
    attributes[localName(name)] = decodeXmlText(match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** The first child of `element` named `name`. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((each) => each.name === name);
}

/** The trimmed text of the first child named `name`. */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  return found === undefined ? undefined : found.text.trim();
}

/** Every descendant named `name`, in document order (an item may come alone or in a list). */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (node: XmlElement): void => {
    for (const each of node.children) {
      if (each.name === name) out.push(each);
      else walk(each);
    }
  };
  walk(element);
  return out;
}
