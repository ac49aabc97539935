/**
 * Every identifier the extension contributes in package.json, in one place. ids.test.ts checks
 * this object against package.json in both directions, and the host suite checks that every
 * command is registered.
 */
export const ids = {
  extension: 'cairn-ml.cairn',
  viewContainer: 'cairn',
  views: {
    artifacts: 'cairn.artifacts',
  },
  commands: {
    init: 'cairn.project.init',
    showLog: 'cairn.project.showLog',
    track: 'cairn.data.track',
    checkout: 'cairn.data.checkout',
    push: 'cairn.data.push',
    pull: 'cairn.data.pull',
    gc: 'cairn.data.gc',
    installHooks: 'cairn.git.installHooks',
    refreshArtifacts: 'cairn.artifacts.refresh',
    copyHash: 'cairn.artifacts.copyHash',
  },
  settings: {
    onBranchSwitch: 'cairn.checkout.onBranchSwitch',
    decorations: 'cairn.artifacts.decorations',
    statusBar: 'cairn.statusBar.enabled',
    refreshDelayMs: 'cairn.artifacts.refreshDelayMs',
  },
  contexts: {
    projectOpen: 'cairn.projectOpen',
    hasArtifacts: 'cairn.hasArtifacts',
    hasRuns: 'cairn.hasRuns',
  },
  walkthrough: 'cairn.gettingStarted',
} as const;

export type CommandId = (typeof ids.commands)[keyof typeof ids.commands];
