// DOM helpers shared by the pages. Text always goes in as text nodes (textContent / createTextNode) and attributes
// through setAttribute — never innerHTML, never a "style" attribute (the CSP has style-src 'self') — so a caller named
// "<img src=x onerror=…>" is shown as text. Everything the pages build goes through h() or svg().

const SVG_NS = 'http://www.w3.org/2000/svg';

// h('li', { class: ['call', open && 'is-open'], text: name, onclick: fn }, child, …)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export const byId = (id) => document.getElementById(id);

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (name === 'text') el.textContent = String(value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}
