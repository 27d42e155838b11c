// @coda-dep jsdom@^29
/**
 * CodaJS kernel plugin: a browser DOM in the kernel through jsdom (docs/plugins.md). `document`, `window` and the
 * DOM's classes (HTMLElement, Event, …) become globals; elements, documents and node lists get inspector previews
 * (`<div#app.card>`, `NodeList(3) [li, li, li]`) whose expansion lists what a developer looks for (tag, attributes,
 * text, children). jsdom comes from the npm registry like any dependency: the line above installs it into the
 * notebook's store, and `context.require` loads it from there.
 *
 * Use: `"plugins": ["./jsdom.js"]` (a copy of this file) or `"plugins": ["coda-plugin-jsdom"]` (this folder packaged).
 */
// @ts-check

/** Characters of text or markup an expansion shows. */
const MAX_TEXT = 200;
/** Children listed in an element's preview. */
const MAX_PREVIEW_CHILDREN = 3;
/** Globals never replaced by the DOM's: Node's own versions stay (they work with Node's streams and fetch). */
const KEEP = new Set([
  'URL',
  'URLSearchParams',
  'Blob',
  'File',
  'FormData',
  'Headers',
  'Request',
  'Response',
  'AbortController',
  'AbortSignal',
  'TextEncoder',
  'TextDecoder',
  'crypto',
  'performance',
  'navigator',
  'fetch',
  'WebSocket',
  'structuredClone',
  'atob',
  'btoa',
]);
/** Node globals the DOM's replace: an event a cell creates must be one the DOM's elements accept. */
const REPLACE = ['Event', 'EventTarget', 'CustomEvent'];

/** @type {import('../../api/plugin').CodaPluginExport} */
module.exports = (options = {}) => {
  /** @type {any} */
  let window;
  return {
    name: 'jsdom',
    setup(context) {
      const { JSDOM } = /** @type {any} */ (context.require('jsdom'));
      const html = typeof options.html === 'string' ? options.html : '<!doctype html><html><head></head><body></body></html>';
      const dom = new JSDOM(html, { url: typeof options.url === 'string' ? options.url : 'http://localhost/', pretendToBeVisual: true });
      window = dom.window;
      const g = context.globals;
      g.window = window;
      g.document = window.document;
      // the DOM's classes and helpers that Node lacks: HTMLElement, Node, MutationObserver, getComputedStyle, …
      for (const name of Object.getOwnPropertyNames(window)) {
        if (name in g || KEEP.has(name) || name.startsWith('_')) continue;
        const d = Object.getOwnPropertyDescriptor(window, name);
        if (d && 'value' in d && (typeof d.value === 'function' || name === 'localStorage' || name === 'sessionStorage')) g[name] = d.value;
      }
      for (const name of REPLACE) g[name] = window[name];
    },
    formatValue(value) {
      if (!window) return undefined;
      if (value instanceof window.Element) return elementFormat(value);
      if (value instanceof window.Document)
        return { preview: `#document (${value.URL})`, properties: { title: value.title, head: value.head, body: value.body, URL: value.URL } };
      if (value instanceof window.Text)
        return { preview: `#text ${JSON.stringify(cut(value.data, 60))}`, properties: { data: value.data, parentNode: value.parentNode } };
      if (value instanceof window.NodeList || value instanceof window.HTMLCollection) return listFormat(value);
      return undefined;
    },
  };
};

/** `div#app.card.wide` */
function selector(el) {
  const id = el.id ? `#${el.id}` : '';
  const classes = [...el.classList].map((c) => `.${c}`).join('');
  return `${el.localName}${id}${classes}`;
}

function elementFormat(el) {
  const children = [...el.children];
  const shown = children.slice(0, MAX_PREVIEW_CHILDREN).map(selector).join(', ');
  const more = children.length > MAX_PREVIEW_CHILDREN ? ', …' : '';
  const text = children.length ? '' : el.textContent ? ` ${JSON.stringify(cut(el.textContent.trim(), 40))}` : '';
  const attributes = Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]));
  return {
    preview: `<${selector(el)}>${text}${children.length ? ` [${shown}${more}]` : ''}`,
    properties: {
      tagName: el.tagName,
      attributes,
      textContent: cut(el.textContent ?? '', MAX_TEXT),
      children: el.children,
      outerHTML: cut(el.outerHTML, MAX_TEXT),
      parentElement: el.parentElement,
    },
  };
}

function listFormat(list) {
  const items = [...list];
  const names = items.slice(0, 12).map((n) => (n.nodeType === 1 ? selector(n) : n.nodeName));
  const kind = Object.prototype.toString.call(list).slice(8, -1);
  return {
    preview: `${kind}(${items.length}) [${names.join(', ')}${items.length > 12 ? ', …' : ''}]`,
    className: kind,
    properties: Object.fromEntries(items.map((n, i) => [String(i), n])),
  };
}

function cut(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
