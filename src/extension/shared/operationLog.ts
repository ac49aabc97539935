import * as vscode from 'vscode';

/**
 * The "Cairn" log output channel: every operation with its duration. Created on first use, so
 * that activation does not pay for it.
 */
export class OperationLog implements vscode.Disposable {
  private channel: vscode.LogOutputChannel | undefined;

  get output(): vscode.LogOutputChannel {
    if (!this.channel) {
      this.channel = vscode.window.createOutputChannel('Cairn', { log: true });
      // The host tests read the log in the test runner's output.
      if (process.env['CAIRN_LOG_TO_CONSOLE'] === '1') mirrorToConsole(this.channel);
    }
    return this.channel;
  }

  info(message: string): void {
    this.output.info(message);
  }

  warn(message: string): void {
    this.output.warn(message);
  }

  error(message: string): void {
    this.output.error(message);
  }

  /** Runs `work`, logging its start, its end with the duration, or its failure. */
  async timed<T>(name: string, work: () => Promise<T>, summary?: (r: T) => string): Promise<T> {
    const started = performance.now();
    this.output.debug(`${name}: started`);
    try {
      const result = await work();
      const took = formatDuration(performance.now() - started);
      this.output.info(`${name}: done in ${took}${summary ? ` (${summary(result)})` : ''}`);
      return result;
    } catch (err) {
      const took = formatDuration(performance.now() - started);
      this.output.error(`${name}: failed after ${took}: ${errorMessage(err)}`);
      throw err;
    }
  }

  dispose(): void {
    this.channel?.dispose();
  }
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function mirrorToConsole(channel: vscode.LogOutputChannel): void {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
    const original = channel[level].bind(channel) as (message: string) => void;
    (channel as unknown as Record<string, (m: string) => void>)[level] = (message: string) => {
      original(message);
      // eslint-disable-next-line no-console
      console.log(`    [cairn ${level}] ${message}`);
    };
  }
}
