// Adds the task Create Task from Current File would draft for a script, without VS Code (for
// the first-hour screenshots): node --import tsx scripts/addDraftTask.ts <project> <script>.
import { findProject } from '../src/core/project/project.js';
import { addTask, draftTask } from '../src/core/runs/taskDraft.js';

const [root, script] = process.argv.slice(2);
if (!root || !script) throw new Error('usage: addDraftTask.ts <project> <script>');
const project = findProject(root);
addTask(project, draftTask(project, script));
