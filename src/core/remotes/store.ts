/**
 * A remote store: the few operations push and pull need, over a directory, SFTP or S3. Keys are
 * '/'-separated paths relative to the remote's root ('cache/packs/pack-<id>.idx'). Every key that
 * holds cache content is written once and never changed (it is named by its content's hash), so
 * two clones writing at the same moment can only write the same bytes under the same key.
 *
 * Each store:
 * - retries transient failures (a dropped connection, a timeout, a 5xx, throttling) with backoff,
 *   and reports a host that cannot be reached within its timeout as a CairnError('remote') that
 *   names the remote and what to check;
 * - never puts a credential in a message, a log line or an error;
 * - makes `upload` atomic: the key appears whole or not at all (a temp name then a rename over
 *   SFTP and on disk; a PUT or a completed multipart upload on S3), and resumes a large upload
 *   that a killed process left half done.
 */
export interface RemoteStore {
  /** Where the store is, for messages: no credentials ("ssh://alice@host:2222/srv/cairn"). */
  readonly location: string;
  /**
   * Every key under a prefix that ends in '/', at any depth, with its size: [] when there are
   * none (a remote nothing was pushed to yet is empty, not an error).
   */
  list(prefix: string): Promise<RemoteEntry[]>;
  /** The size of a key, or undefined when it does not exist. */
  stat(key: string): Promise<number | undefined>;
  /** A key's bytes, or those of [start, end) of it: for indexes, run files and pack ranges. */
  read(key: string, range?: ByteRange): Promise<Buffer>;
  /**
   * Writes a key's bytes, or those of [start, end) of it, to a local file, appending from
   * `options.offset` of the range when resuming (the file then already holds that many bytes).
   */
  download(
    key: string,
    localFile: string,
    options?: TransferOptions & DownloadOptions,
  ): Promise<void>;
  /** Uploads a local file to a key, atomically; a large one in parts that a retry resumes. */
  upload(localFile: string, key: string, options?: TransferOptions): Promise<void>;
  /** Writes a small key (a run record's file) atomically. */
  write(key: string, data: Buffer | string): Promise<void>;
  /** Removes a key; a key that is already absent is not an error. */
  remove(key: string): Promise<void>;
  /** Ends the connection; the store is not used afterwards. */
  close(): Promise<void>;
}

/** What a command run on a remote host printed, and its exit code (null: ended by a signal). */
export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * An SSH host as a store (keys relative to `root`) that also runs commands there: what the SSH
 * executor sends jobs through.
 */
export interface RemoteShell extends RemoteStore {
  /** The store's root on the host, as an absolute path. */
  readonly root: string;
  /** Runs a command through the host's login shell; a dropped connection is retried once. */
  exec(command: string): Promise<ExecResult>;
}

export interface RemoteEntry {
  readonly key: string;
  readonly size: number;
}

/** Bytes [start, end) of a key. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface TransferOptions {
  /** Called with the number of bytes moved since the last call. */
  readonly onBytes?: (bytes: number) => void;
  /** Aborting rejects with a CairnError('remote', 'cancelled') and leaves what a retry resumes. */
  readonly signal?: AbortSignal;
}

export interface DownloadOptions {
  readonly range?: ByteRange;
  /** How many bytes of the key (or of the range) the local file already holds. */
  readonly offset?: number;
  /** Called with every chunk written to the local file, in order (pull hashes as it downloads). */
  readonly onData?: (chunk: Buffer) => void;
}
