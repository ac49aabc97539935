/**
 * Every identifier the extension contributes in package.json, in one place. ids.test.ts checks
 * this object against package.json in both directions, and the host suite checks that every
 * command is registered.
 */
export const ids = {
  extension: 'cairn-ml.cairn',
  viewContainer: 'cairn',
  views: {
    runs: 'cairn.runs',
    artifacts: 'cairn.artifacts',
    models: 'cairn.models',
  },
  commands: {
    init: 'cairn.project.init',
    showLog: 'cairn.project.showLog',
    track: 'cairn.data.track',
    checkout: 'cairn.data.checkout',
    unprotect: 'cairn.data.unprotect',
    push: 'cairn.data.push',
    pull: 'cairn.data.pull',
    gc: 'cairn.data.gc',
    installHooks: 'cairn.git.installHooks',
    refreshArtifacts: 'cairn.artifacts.refresh',
    copyHash: 'cairn.artifacts.copyHash',
    profile: 'cairn.data.profile',
    drift: 'cairn.data.drift',
    checkRunDrift: 'cairn.runs.checkDrift',
    runTask: 'cairn.runs.runTask',
    runFile: 'cairn.runs.runFile',
    createTask: 'cairn.runs.createTask',
    sweep: 'cairn.runs.sweep',
    stopRun: 'cairn.runs.stop',
    rerun: 'cairn.runs.rerun',
    deleteRun: 'cairn.runs.delete',
    openRun: 'cairn.runs.open',
    openLog: 'cairn.runs.openLog',
    compare: 'cairn.runs.compare',
    showLineage: 'cairn.runs.showLineage',
    reproduce: 'cairn.runs.reproduce',
    refreshRuns: 'cairn.runs.refresh',
    registerModel: 'cairn.models.register',
    promoteModel: 'cairn.models.promote',
    demoteModel: 'cairn.models.demote',
    refreshModels: 'cairn.models.refresh',
    showMaturity: 'cairn.maturity.show',
  },
  settings: {
    onBranchSwitch: 'cairn.checkout.onBranchSwitch',
    decorations: 'cairn.artifacts.decorations',
    statusBar: 'cairn.statusBar.enabled',
    refreshDelayMs: 'cairn.artifacts.refreshDelayMs',
    codeLens: 'cairn.codeLens.enabled',
    python: 'cairn.runs.pythonCommand',
  },
  contexts: {
    projectOpen: 'cairn.projectOpen',
    hasArtifacts: 'cairn.hasArtifacts',
    hasRuns: 'cairn.hasRuns',
    /** cairn.yaml has at least one task (the walkthrough's "Create a task" step). */
    hasTasks: 'cairn.hasTasks',
    /** A recorded run is running (Stop Run is offered only then). */
    runActive: 'cairn.runActive',
  },
  walkthrough: 'cairn.gettingStarted',
  taskType: 'cairn',
} as const;

export type CommandId = (typeof ids.commands)[keyof typeof ids.commands];
