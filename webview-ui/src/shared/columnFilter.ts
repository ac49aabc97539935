// The column-name filter of the data pages (profile cards, drift columns): typing filters, Escape
// clears, ArrowDown or Enter goes on into the list, and / anywhere outside a text field comes back.
// The filter text is view state, kept across reloads.
import { h, isTextEntry } from './dom.js';

/** The part of a page's shell the filter needs: its view state's filter, and saving it. */
export interface FilterHost {
  readonly view: { filter: string };
  readonly save: () => void;
}

/** Creates the filter input (and the page-wide / shortcut to it); changed redraws the list. */
export function columnFilter(
  host: FilterHost,
  changed: () => void,
  enterList: () => void,
): HTMLInputElement {
  const input = h('input', {
    type: 'search',
    placeholder: 'Filter columns by name (/)',
    'aria-label': 'Filter columns by name',
    spellcheck: 'false',
  });
  input.value = host.view.filter;
  const set = (value: string): void => {
    host.view.filter = value;
    host.save();
    changed();
  };
  input.addEventListener('input', () => set(input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value !== '') {
      input.value = '';
      set('');
    } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
      e.preventDefault();
      enterList();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !isTextEntry(e.target)) {
      e.preventDefault();
      input.focus();
    }
  });
  return input;
}
