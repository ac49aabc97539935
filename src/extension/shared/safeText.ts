import type * as vscode from 'vscode';
import { escapeControlChars } from '../../core/text/controlChars.js';

/** The parts of a tree item that show text (a MarkdownString tooltip has a `value`). */
interface TreeItemText {
  label?: string | vscode.TreeItemLabel;
  description?: string | boolean;
  tooltip?: string | { value: string };
}

/**
 * A tree item with the control characters of its label, description and tooltip shown as visible
 * escapes: run names, params, file names, commit subjects and column names come from files
 * anyone can write. Each tree calls it once, where it builds its items.
 */
export function safeTreeItem<T extends TreeItemText>(item: T): T {
  if (typeof item.label === 'string') item.label = safeLine(item.label);
  else if (item.label) item.label = { ...item.label, label: safeLine(item.label.label) };
  if (typeof item.description === 'string') item.description = safeLine(item.description);
  // A tooltip may have several lines (Markdown tables): keep newlines, escape the rest.
  if (typeof item.tooltip === 'string') item.tooltip = escapeControlChars(item.tooltip);
  else if (item.tooltip) item.tooltip.value = escapeControlChars(item.tooltip.value);
  return item;
}

/** A notification's text with its control characters shown as visible escapes (newlines kept). */
export function safeMessage(message: string): string {
  return escapeControlChars(message);
}

/** One line of text (a quick pick's description) with control characters and newlines escaped. */
export function safeLine(text: string): string {
  return escapeControlChars(text, { singleLine: true });
}

/** Escapes Markdown's special characters, for untrusted text in a tooltip's MarkdownString. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
