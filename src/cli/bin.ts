// Entry point of the bundled `cairn` executable.
import { main } from './main.js';
import { printError } from './printer.js';

// A reader that goes away (`cairn log | head`) ends the output, not the program with a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2), process.cwd()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    printError(e);
    process.exitCode = 70;
  },
);
