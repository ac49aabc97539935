// A text button with a codicon before its label, the way VS Code's own toolbars show actions.
import { h } from './dom.js';

export interface CodiconButtonOptions {
  /** The tooltip. */
  title?: string;
  /** A primary (filled) button; the default is secondary. */
  primary?: boolean;
  hidden?: boolean;
}

/** Creates a button showing the codicon `icon` and then `label`. */
export function codiconButton(
  icon: string,
  label: string,
  options: CodiconButtonOptions = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      className: options.primary === true ? '' : 'secondary',
      title: options.title,
      hidden: options.hidden,
    },
    h('span', { className: `codicon codicon-${icon}`, 'aria-hidden': 'true' }),
    ` ${label}`,
  );
}
