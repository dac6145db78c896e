// The Routing panel's editable lists: rows of phone numbers (the forward targets, in order, and the blocklist) and
// rows of holidays (a date and a message). A list owns its <ol> and its Add button from index.html; each row has its
// inputs, labelled by position ("Forward target 2"), and Remove (and, where order matters, Move up / Move down).
// read() gives the values and, for each one, the row and inputs the server's field errors point at.
// A new kind of row: a `columns` entry per input (key null: the row's value is that input's own).
import { h } from './dom.js';
import { normalizeNumber } from './routing-doc.js';

let lastId = 0;
const newId = (prefix) => `${prefix}-${(lastId += 1)}`;

export class RowList {
  // list: the <ol>; add: its Add button; noun: how a row is named ("forward target");
  // columns: [{ key, type, label, placeholder, read(value) }]; reorder: Move up/down buttons;
  // onChange(): after a row was added, removed or moved; say(text): a polite announcement.
  constructor({ list, add, noun, columns, reorder = false, onChange = () => {}, say = () => {} }) {
    Object.assign(this, { list, noun, columns, reorder, onChange, say });
    add.addEventListener('click', () => {
      const row = this.addRow(null);
      this.renumber();
      row.querySelector('input').focus();
      this.onChange();
    });
    this.addButton = add;
  }

  // Replaces the rows with one per item.
  set(items) {
    this.list.replaceChildren();
    for (const item of Array.isArray(items) ? items : []) this.addRow(item);
    this.renumber();
  }

  // { values, rows: [{ index, row, inputs: { key → input } }] } for the rows that hold something; empty rows are
  // left out (an Add clicked by mistake does not block a save), so `index` is the value's place in `values`. A row
  // of several inputs keeps what else its item had (keys the page has no input for).
  read() {
    const values = [];
    const rows = [];
    for (const row of this.list.children) {
      const inputs = {};
      const parts = {};
      let empty = true;
      for (const column of this.columns) {
        const input = row.querySelector(`[data-column="${column.key ?? 'value'}"]`);
        inputs[column.key ?? 'value'] = input;
        parts[column.key ?? 'value'] = column.read ? column.read(input.value) : input.value;
        if (String(parts[column.key ?? 'value']).trim() !== '') empty = false;
      }
      if (empty) continue;
      rows.push({ index: values.length, row, inputs });
      values.push(this.columns.length === 1 && this.columns[0].key === null ? parts.value : { ...row.item, ...parts });
    }
    return { values, rows };
  }

  addRow(item) {
    const row = h('li', { class: 'rt-row' }, h('span', { class: 'rt-index', 'aria-hidden': 'true' }));
    row.item = item && typeof item === 'object' ? item : null;
    for (const column of this.columns) {
      const key = column.key ?? 'value';
      const value = column.key === null ? item : item?.[column.key];
      const input = h('input', {
        class: ['rt-input', `rt-input-${column.type}`], type: column.type, id: newId('rt'), 'data-column': key,
        placeholder: column.placeholder, autocomplete: 'off', spellcheck: column.type === 'text' ? null : 'false',
      });
      input.value = value === null || value === undefined ? '' : String(value);
      row.append(input);
    }
    if (this.reorder) {
      row.append(this.button(row, 'move-up', '\u2191', () => this.move(row, -1)),
        this.button(row, 'move-down', '\u2193', () => this.move(row, 1)));
    }
    row.append(this.button(row, 'remove', 'Remove', () => this.remove(row)));
    this.list.append(row);
    return row;
  }

  button(row, action, text, onclick) {
    return h('button', { type: 'button', class: ['button', 'button-small', `rt-${action}`], 'data-action': action,
      text, onclick });
  }

  remove(row) {
    const label = this.label(row);
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.renumber();
    (next ? next.querySelector('input') : this.addButton).focus();
    this.say(`${label} removed.`);
    this.onChange();
  }

  move(row, by) {
    const other = by < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!other) return;
    if (by < 0) other.before(row);
    else other.after(row);
    this.renumber();
    // Focus stays on the button pressed, or its twin once the row reached an end.
    const pressed = row.querySelector(by < 0 ? '.rt-move-up' : '.rt-move-down');
    (pressed.disabled ? row.querySelector(by < 0 ? '.rt-move-down' : '.rt-move-up') : pressed).focus();
    this.say(`${this.label(row)}: ${row.querySelector('input').value || 'empty'}.`);
    this.onChange();
  }

  label(row) {
    return `${capitalize(this.noun)} ${[...this.list.children].indexOf(row) + 1}`;
  }

  // Positions, labels and which moves are possible, after any change.
  renumber() {
    const rows = [...this.list.children];
    rows.forEach((row, i) => {
      const name = `${capitalize(this.noun)} ${i + 1}`;
      row.dataset.position = String(i + 1);
      row.querySelector('.rt-index').textContent = `${i + 1}.`;
      for (const column of this.columns) {
        row.querySelector(`[data-column="${column.key ?? 'value'}"]`)
          .setAttribute('aria-label', column.label ? `${name} ${column.label}` : name);
      }
      row.querySelector('.rt-remove').setAttribute('aria-label', `Remove ${name.toLowerCase()}`);
      if (this.reorder) {
        const up = row.querySelector('.rt-move-up');
        const down = row.querySelector('.rt-move-down');
        up.setAttribute('aria-label', `Move ${name.toLowerCase()} up`);
        down.setAttribute('aria-label', `Move ${name.toLowerCase()} down`);
        up.disabled = i === 0;
        down.disabled = i === rows.length - 1;
      }
    });
  }
}

// A list of E.164 numbers.
export function numberColumns(placeholder) {
  return [{ key: null, type: 'tel', placeholder, read: normalizeNumber }];
}

export const HOLIDAY_COLUMNS = [
  { key: 'date', type: 'date', label: 'date' },
  { key: 'message', type: 'text', label: 'message', placeholder: 'What callers hear that day' },
];

function capitalize(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
