// A remote on S3 or an S3-compatible store, with the official AWS SDK: credentials from its
// default chain only, range GETs, resumable multipart uploads for large files.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { CairnError } from '../errors.js';
import type { S3RemoteConfig } from '../project/config.js';
import type {
  ByteRange,
  DownloadOptions,
  RemoteEntry,
  RemoteStore,
  TransferOptions,
} from './store.js';
import { progress } from './dirStore.js';
import { cancelled, checkKey, isTmpKey, remoteTimeoutMs, throwIfAborted } from './storeCommon.js';

export interface S3StoreOptions {
  /** A local folder where the store remembers the multipart uploads it may resume. */
  readonly stateDir?: string;
  /** Files above this many bytes go up in parts (default 64 MB; smaller for tests). */
  readonly multipartThreshold?: number;
  /** The size of a part (default 16 MB, more when a file would need over 10,000 parts). */
  readonly partSize?: number;
}

const MB = 1024 * 1024;

export async function openS3Store(
  config: S3RemoteConfig,
  options: S3StoreOptions = {},
): Promise<RemoteStore> {
  const store = new S3Store(config, options);
  await store.start();
  return store;
}

/** Builds the client without the SDK's notice about Node 20, which would print on every run. */
function makeClient(cfg: S3ClientConfig): S3Client {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const before = process.env[name];
  process.env[name] = 'true';
  try {
    return new S3Client(cfg);
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

interface UploadState {
  readonly uploadId: string;
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly partSize: number;
  /** Part number → ETag of the parts the server has acknowledged. */
  readonly parts: Record<number, string>;
}

class S3Store implements RemoteStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly threshold: number;

  constructor(
    private readonly config: S3RemoteConfig,
    private readonly options: S3StoreOptions,
  ) {
    this.bucket = config.bucket;
    this.prefix = config.prefix === '' ? '' : `${config.prefix}/`;
    this.location = `s3://${config.bucket}${config.prefix ? `/${config.prefix}` : ''}${
      config.endpoint ? ` (${config.endpoint})` : ''
    }`;
    this.threshold = options.multipartThreshold ?? 64 * MB;
    const timeout = remoteTimeoutMs();
    this.client = makeClient({
      ...(config.region || process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION']
        ? {
            region: config.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'],
          }
        : { region: 'us-east-1' }),
      ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
      ...(config.profile ? { profile: config.profile } : {}),
      // Checksums only where S3 requires them: the default streams bodies as aws-chunked, which
      // S3-compatible servers such as s3rver store verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 4,
      requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
    });
  }

  /** Checks the bucket is there and the credentials may use it, for one clear error up front. */
  async start(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw this.error(err, '');
    }
  }

  private key(key: string, isPrefix = false): string {
    checkKey(this.location, key, isPrefix);
    return this.prefix + key;
  }

  /** An SDK failure as a CairnError naming the remote and what to do; never a credential. */
  private error(err: unknown, key: string, signal?: AbortSignal): CairnError {
    if (err instanceof CairnError) return err;
    if (signal?.aborted) return cancelled(this.location);
    const e = err as {
      name?: string;
      Code?: string;
      code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const name = e.name ?? e.Code ?? '';
    const status = e.$metadata?.httpStatusCode;
    const at = key ? `${this.location}: ${key}` : this.location;
    const profile = this.config.profile ? ` (profile '${this.config.profile}')` : '';
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? ''))
      return new CairnError(
        'remote',
        `${this.location}: no AWS credentials were found${profile}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
          "or a profile in ~/.aws/credentials (and 'profile' for the remote in .cairn/local.yaml).",
      );
    if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch')
      return new CairnError(
        'remote',
        `${this.location}: the S3 server rejected the credentials${profile} (${name}). Check the access key and secret of the credentials in use.`,
      );
    if (name === 'NoSuchBucket' || (status === 404 && !key))
      return new CairnError(
        'remote',
        `${this.location}: the bucket '${this.bucket}' does not exist${this.config.endpoint ? ` at ${this.config.endpoint}` : ''}. Check the bucket name in cairn.yaml, or create the bucket.`,
      );
    if (name === 'AccessDenied' || name === 'Forbidden' || status === 403)
      return new CairnError(
        'remote',
        `${at}: access denied${profile}. Check that the credentials in use may read and write the bucket '${this.bucket}'.`,
      );
    const code = e.code ?? '';
    if (
      name === 'TimeoutError' ||
      [
        'ECONNREFUSED',
        'ETIMEDOUT',
        'ENOTFOUND',
        'EAI_AGAIN',
        'ECONNRESET',
        'EHOSTUNREACH',
      ].includes(code) ||
      /timed? ?out|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(e.message ?? '')
    )
      return new CairnError(
        'remote',
        `${this.location}: the S3 endpoint ${this.config.endpoint ?? `for region ${this.config.region ?? 'us-east-1'}`} could not be reached (${code || name}). ` +
          'Check the endpoint and region, your network or VPN, and any proxy.',
      );
    return new CairnError(
      'remote',
      `${at}: the S3 request failed (${name || 'error'}${status ? `, HTTP ${status}` : ''}): ${stripSecrets(e.message ?? '')}`,
    );
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const full = this.key(prefix, true);
    const out: RemoteEntry[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: full,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of r.Contents ?? []) {
          if (!o.Key) continue;
          const key = o.Key.slice(this.prefix.length);
          if (!isTmpKey(key)) out.push({ key, size: o.Size ?? 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.error(err, prefix);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stat(key: string): Promise<number | undefined> {
    try {
      const r = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }),
      );
      return r.ContentLength ?? 0;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        return undefined;
      throw this.error(err, key);
    }
  }

  private async get(key: string, start: number, end: number | undefined, signal?: AbortSignal) {
    const r = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        ...(start > 0 || end !== undefined
          ? { Range: `bytes=${start}-${end !== undefined ? end - 1 : ''}` }
          : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    return r.Body as Readable;
  }

  async read(key: string, range?: ByteRange): Promise<Buffer> {
    if (range && range.end <= range.start) return Buffer.alloc(0);
    try {
      const body = await this.get(key, range?.start ?? 0, range?.end);
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk as Buffer);
      return Buffer.concat(parts);
    } catch (err) {
      throw this.notFound(err, key) ?? this.error(err, key);
    }
  }

  private notFound(err: unknown, key: string): CairnError | undefined {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (
      e.name === 'NoSuchKey' ||
      (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket')
    )
      return new CairnError('not-found', `${this.location}: ${key}: no such key on the remote`);
    return undefined;
  }

  async download(
    key: string,
    localFile: string,
    options: TransferOptions & DownloadOptions = {},
  ): Promise<void> {
    const { signal } = options;
    throwIfAborted(this.location, signal);
    const offset = options.offset ?? 0;
    const start = (options.range?.start ?? 0) + offset;
    const end = options.range?.end;
    const flags = offset > 0 ? 'a' : 'w';
    if (end !== undefined && start >= end) {
      await fs.promises.writeFile(localFile, '', { flag: flags });
      return;
    }
    try {
      const body = await this.get(key, start, end, signal);
      await pipeline(
        body,
        progress(options.onBytes, options.onData),
        fs.createWriteStream(localFile, { flags }),
        {
          ...(signal ? { signal } : {}),
        },
      );
    } catch (err) {
      if (signal?.aborted) throw cancelled(this.location);
      throw this.notFound(err, key) ?? this.error(err, key);
    }
  }

  async upload(localFile: string, key: string, options: TransferOptions = {}): Promise<void> {
    const { signal } = options;
    throwIfAborted(this.location, signal);
    const st = await fs.promises.stat(localFile);
    if (st.size <= this.threshold) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key(key),
            Body: fs.createReadStream(localFile).pipe(progress(options.onBytes)),
            ContentLength: st.size,
          }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (err) {
        throw this.error(err, key, signal);
      }
      return;
    }
    try {
      await this.multipart(localFile, key, st, options);
    } catch (err) {
      throw this.error(err, key, signal);
    }
  }

  private stateFile(key: string): string | undefined {
    if (!this.options.stateDir) return undefined;
    const id = createHash('sha256')
      .update(`${this.config.endpoint ?? ''}\0${this.bucket}\0${this.key(key)}`)
      .digest('hex')
      .slice(0, 24);
    return path.join(this.options.stateDir, 's3-uploads', `${id}.json`);
  }

  private partSizeFor(size: number): number {
    return Math.max(this.options.partSize ?? 16 * MB, Math.ceil(size / 10_000));
  }

  /**
   * A multipart upload: started, or found again (the state file, else ListMultipartUploads), the
   * parts not yet there sent four at a time, then completed. Each part's ETag is also kept in the
   * state file, for servers without ListParts.
   */
  private async multipart(
    localFile: string,
    key: string,
    st: fs.Stats,
    options: TransferOptions,
    fresh = false,
  ): Promise<void> {
    const { signal } = options;
    const Key = this.key(key);
    const stateFile = this.stateFile(key);
    let state = fresh ? undefined : await this.resumable(stateFile, Key, st);
    if (!state) {
      const r = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }),
      );
      state = {
        uploadId: r.UploadId!,
        key: Key,
        size: st.size,
        mtimeMs: st.mtimeMs,
        partSize: this.partSizeFor(st.size),
        parts: {},
      };
    }
    const saved: UploadState = state;
    // One save at a time: the four workers share the state file.
    let saving = Promise.resolve();
    const save = (): Promise<void> => {
      if (!stateFile) return Promise.resolve();
      saving = saving.then(async () => {
        await fs.promises.mkdir(path.dirname(stateFile), { recursive: true });
        await fs.promises.writeFile(`${stateFile}.tmp`, JSON.stringify(saved));
        await fs.promises.rename(`${stateFile}.tmp`, stateFile);
      });
      return saving;
    };
    await save();
    const { uploadId, partSize } = saved;
    const sizeOf = (n: number): number => Math.min(partSize, st.size - (n - 1) * partSize);
    const done = new Map<number, CompletedPart>();
    try {
      for (const p of await this.listParts(Key, uploadId)) {
        if (p.size === sizeOf(p.n)) done.set(p.n, { PartNumber: p.n, ETag: p.etag });
      }
    } catch (err) {
      if (!isNotImplemented(err)) {
        if (isNoSuchUpload(err) && !fresh) return this.multipart(localFile, key, st, options, true);
        throw err;
      }
      for (const [n, etag] of Object.entries(saved.parts))
        done.set(Number(n), { PartNumber: Number(n), ETag: etag });
    }
    const count = Math.ceil(st.size / partSize);
    const todo: number[] = [];
    for (let n = 1; n <= count; n++) {
      if (done.has(n)) options.onBytes?.(sizeOf(n));
      else todo.push(n);
    }
    const worker = async (): Promise<void> => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        throwIfAborted(this.location, signal);
        const start = (n - 1) * partSize;
        const len = sizeOf(n);
        const r = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key,
            UploadId: uploadId,
            PartNumber: n,
            ContentLength: len,
            Body: fs
              .createReadStream(localFile, { start, end: start + len - 1 })
              .pipe(progress(options.onBytes)),
          }),
          signal ? { abortSignal: signal } : {},
        );
        done.set(n, { PartNumber: n, ETag: r.ETag! });
        saved.parts[n] = r.ETag!;
        await save();
      }
    };
    try {
      await Promise.all([worker(), worker(), worker(), worker()]);
    } catch (err) {
      if (isNoSuchUpload(err) && !fresh) return this.multipart(localFile, key, st, options, true);
      throw err;
    }
    throwIfAborted(this.location, signal);
    const parts = [...done.values()].sort((a, b) => a.PartNumber! - b.PartNumber!);
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      // Another clone completed the same upload of the same bytes first.
      if ((await this.stat(key)) !== st.size) throw err;
    }
    if (stateFile) await fs.promises.rm(stateFile, { force: true });
  }

  private async listParts(
    Key: string,
    uploadId: string,
  ): Promise<{ n: number; etag: string; size: number }[]> {
    const out: { n: number; etag: string; size: number }[] = [];
    let marker: string | undefined;
    do {
      const r = await this.client.send(
        new ListPartsCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      for (const p of r.Parts ?? [])
        if (p.PartNumber && p.ETag) out.push({ n: p.PartNumber, etag: p.ETag, size: p.Size ?? 0 });
      marker = r.IsTruncated ? r.NextPartNumberMarker : undefined;
    } while (marker);
    return out;
  }

  /** The upload a killed process left for this key and file, if it is still on the server. */
  private async resumable(
    stateFile: string | undefined,
    Key: string,
    st: fs.Stats,
  ): Promise<UploadState | undefined> {
    if (stateFile) {
      let saved: UploadState | undefined;
      try {
        saved = JSON.parse(await fs.promises.readFile(stateFile, 'utf8')) as UploadState;
      } catch {
        return undefined;
      }
      if (saved.key !== Key || saved.size !== st.size || saved.mtimeMs !== st.mtimeMs) {
        await this.client
          .send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: saved.uploadId }),
          )
          .catch(() => undefined);
        return undefined;
      }
      return { ...saved, parts: saved.parts ?? {} };
    }
    // Without a state folder: the newest upload of this key on the server, if any.
    let uploads;
    try {
      uploads = (
        await this.client.send(
          new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: Key }),
        )
      ).Uploads;
    } catch (err) {
      if (isNotImplemented(err)) return undefined;
      throw err;
    }
    const found = (uploads ?? [])
      .filter((u) => u.Key === Key && u.UploadId)
      .sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0))[0];
    return found
      ? {
          uploadId: found.UploadId!,
          key: Key,
          size: st.size,
          mtimeMs: st.mtimeMs,
          partSize: this.partSizeFor(st.size),
          parts: {},
        }
      : undefined;
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: data }),
      );
    } catch (err) {
      throw this.error(err, key);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (err) {
      const e = err as { name?: string };
      if (e.name === 'NoSuchKey') return;
      throw this.error(err, key);
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

function errName(err: unknown): string {
  const e = err as { name?: string; Code?: string } | undefined;
  return e?.name ?? e?.Code ?? '';
}

/** A server without an operation (s3rver has no ListParts or ListMultipartUploads). */
function isNotImplemented(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    ['MethodNotAllowed', 'NotImplemented'].includes(errName(err)) ||
    status === 405 ||
    status === 501
  );
}

function isNoSuchUpload(err: unknown): boolean {
  return errName(err) === 'NoSuchUpload';
}

/** Drops anything that looks like an access key or a signature from a server's message. */
function stripSecrets(message: string): string {
  return message
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '<access key>')
    .replace(/Signature=[0-9a-f]+/gi, 'Signature=<hidden>')
    .replace(/Credential=[^,\s]+/gi, 'Credential=<hidden>');
}
