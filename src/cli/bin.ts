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

// A command is over when main settles: a connection left open (an SSH session after a failed
// upload) must not keep the process alive. The timer does not hold the process itself, so output
// still being flushed has a second to go out.
const exitSoon = (): void => {
  setTimeout(() => process.exit(), 1000).unref();
};
main(process.argv.slice(2), process.cwd()).then(
  (code) => {
    process.exitCode = code;
    exitSoon();
  },
  (e: unknown) => {
    printError(e);
    process.exitCode = 70;
    exitSoon();
  },
);
