// Entry point of the bundled `cairn` executable.
import { main } from './main.js';
import { printError } from './printer.js';

main(process.argv.slice(2), process.cwd()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    printError(e);
    process.exitCode = 70;
  },
);
