// The name filter of a list page (profile cards, drift columns): typing filters, Escape clears,
// ArrowDown or Enter goes on into the list, and / anywhere outside a text field comes back here.
import { h, isTextEntry } from './dom';

export interface FilterBoxOptions {
  placeholder: string;
  label: string;
  value: string;
  /** The filter text changed (typed or cleared). */
  changed(value: string): void;
  /** The user went on from the filter into the list. */
  enterList(): void;
}

/** Creates the filter input and the page-wide / shortcut that focuses it. */
export function filterBox(options: FilterBoxOptions): HTMLInputElement {
  const input = h('input', {
    type: 'search',
    placeholder: options.placeholder,
    'aria-label': options.label,
    spellcheck: 'false',
  });
  input.value = options.value;
  input.addEventListener('input', () => options.changed(input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value !== '') {
      input.value = '';
      options.changed('');
    } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
      e.preventDefault();
      options.enterList();
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
