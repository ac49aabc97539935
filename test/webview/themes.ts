// The VS Code theme variables the webview tests and screenshots use: a subset of Light Modern,
// Dark Modern and High Contrast (dark), as VS Code sets them on a webview's <html>. One list, one
// row per variable, so the three themes cannot drift apart: a variable one theme has, the others
// have too, unless the row says it is only for some.

export type Theme = 'light' | 'dark' | 'high-contrast';

/** The same value in every theme, or one per theme (a theme missing from it lacks the variable). */
type ThemeValue = string | Partial<Record<Theme, string>>;

const variables: [name: string, value: ThemeValue][] = [
  ['font-family', "system-ui, 'Ubuntu', 'Droid Sans', sans-serif"],
  ['font-size', '13px'],
  ['font-weight', 'normal'],
  ['editor-font-family', "'Droid Sans Mono', monospace"],
  ['editor-font-size', '13px'],
  ['foreground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#ffffff' }],
  ['descriptionForeground', { light: '#717171', dark: '#9d9d9d', 'high-contrast': '#ffffffb3' }],
  ['disabledForeground', { light: '#61616180', dark: '#cccccc80', 'high-contrast': '#cccccc80' }],
  ['errorForeground', '#f85149'],
  ['focusBorder', { light: '#005fb8', dark: '#0078d4', 'high-contrast': '#f38518' }],
  ['editor-background', { light: '#ffffff', dark: '#1f1f1f', 'high-contrast': '#000000' }],
  ['editorWidget-background', { light: '#f8f8f8', dark: '#202020', 'high-contrast': '#0c141f' }],
  ['editorWidget-foreground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' }],
  ['editorWidget-border', { light: '#c8c8c8', dark: '#454545', 'high-contrast': '#6fc3df' }],
  ['editor-selectionBackground', { light: '#add6ff', dark: '#264f78', 'high-contrast': '#264f78' }],
  ['widget-shadow', { light: '#00000029', dark: '#0000005c', 'high-contrast': '#0000005c' }],
  ['panel-border', { light: '#e5e5e5', dark: '#2b2b2b', 'high-contrast': '#6fc3df' }],
  ['sideBar-background', { light: '#f8f8f8', dark: '#181818', 'high-contrast': '#000000' }],
  ['button-background', { light: '#005fb8', dark: '#0078d4', 'high-contrast': '#000000' }],
  ['button-foreground', '#ffffff'],
  ['button-hoverBackground', { light: '#0258a8', dark: '#026ec1', 'high-contrast': '#026ec1' }],
  ['button-border', { light: '#0000001a', dark: '#ffffff12', 'high-contrast': '#6fc3df' }],
  ['button-secondaryBackground', { light: '#e5e5e5', dark: '#313131', 'high-contrast': '#313131' }],
  ['button-secondaryForeground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' }],
  [
    'button-secondaryHoverBackground',
    { light: '#cccccc', dark: '#3c3c3c', 'high-contrast': '#3c3c3c' },
  ],
  ['input-background', { light: '#ffffff', dark: '#313131', 'high-contrast': '#000000' }],
  ['input-foreground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' }],
  ['input-border', { light: '#cecece', dark: '#3c3c3c', 'high-contrast': '#6fc3df' }],
  [
    'input-placeholderForeground',
    { light: '#767676', dark: '#989898', 'high-contrast': '#989898' },
  ],
  ['inputValidation-errorBorder', '#be1100'],
  ['dropdown-background', { light: '#ffffff', dark: '#313131', 'high-contrast': '#313131' }],
  ['dropdown-foreground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' }],
  ['dropdown-border', { light: '#cecece', dark: '#3c3c3c', 'high-contrast': '#3c3c3c' }],
  ['checkbox-background', { light: '#f8f8f8', dark: '#313131', 'high-contrast': '#313131' }],
  ['list-hoverBackground', { light: '#f2f2f2', dark: '#2a2d2e', 'high-contrast': '#2a2d2e' }],
  ['list-focusBackground', { light: '#e8e8e8', dark: '#04395e', 'high-contrast': '#000000' }],
  ['list-focusOutline', { light: '#005fb8', dark: '#0078d4', 'high-contrast': '#f38518' }],
  [
    'list-inactiveSelectionBackground',
    { light: '#e4e6f1', dark: '#37373d', 'high-contrast': '#000000' },
  ],
  [
    'tree-tableColumnsBorder',
    { light: '#61616120', dark: '#cccccc20', 'high-contrast': '#cccccc20' },
  ],
  ['panelTitle-activeBorder', { light: '#005fb8', dark: '#0078d4', 'high-contrast': '#0078d4' }],
  [
    'panelTitle-activeForeground',
    { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' },
  ],
  [
    'panelTitle-inactiveForeground',
    { light: '#3b3b3b', dark: '#9d9d9d', 'high-contrast': '#9d9d9d' },
  ],
  ['textLink-foreground', { light: '#005fb8', dark: '#4daafc', 'high-contrast': '#4daafc' }],
  ['textCodeBlock-background', { light: '#f8f8f8', dark: '#2b2b2b', 'high-contrast': '#000000' }],
  [
    'toolbar-hoverBackground',
    { light: '#b8b8b850', dark: '#5a5d5e50', 'high-contrast': '#5a5d5e50' },
  ],
  ['icon-foreground', { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#cccccc' }],
  ['charts-blue', { light: '#1a85ff', dark: '#3794ff', 'high-contrast': '#3794ff' }],
  ['charts-green', { light: '#388a34', dark: '#89d185', 'high-contrast': '#89d185' }],
  ['charts-orange', '#d18616'],
  ['charts-purple', { light: '#652d90', dark: '#b180d7', 'high-contrast': '#b180d7' }],
  ['charts-yellow', { light: '#bf8803', dark: '#cca700', 'high-contrast': '#cca700' }],
  ['charts-red', { light: '#e51400', dark: '#f14c4c', 'high-contrast': '#f14c4c' }],
  ['editorWarning-foreground', { light: '#bf8803', dark: '#cca700', 'high-contrast': '#cca700' }],
  [
    'gitDecoration-addedResourceForeground',
    { light: '#587c0c', dark: '#81b88b', 'high-contrast': '#81b88b' },
  ],
  [
    'gitDecoration-deletedResourceForeground',
    { light: '#ad0707', dark: '#c74e39', 'high-contrast': '#c74e39' },
  ],
  [
    'gitDecoration-modifiedResourceForeground',
    { light: '#895503', dark: '#e2c08d', 'high-contrast': '#e2c08d' },
  ],
  ['sash-hoverBorder', { light: '#005fb8', dark: '#0078d4', 'high-contrast': '#0078d4' }],
  ['contrastBorder', { 'high-contrast': '#6fc3df' }],
  ['contrastActiveBorder', { 'high-contrast': '#f38518' }],
];

/** The theme's variables, name (`--vscode-…`) → value. */
export function themeVariables(theme: Theme): [name: string, value: string][] {
  return variables.flatMap(([name, value]) => {
    const v = typeof value === 'string' ? value : value[theme];
    return v === undefined ? [] : [[`--vscode-${name}`, v] as [string, string]];
  });
}

/** The style sheet that sets the theme's variables on :root. */
export function themeCss(theme: Theme): string {
  const lines = themeVariables(theme).map(([name, v]) => `  ${name}: ${v};`);
  return `:root {\n${lines.join('\n')}\n}\n`;
}
