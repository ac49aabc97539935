// The SSH and S3 stores, built as their own bundle (dist/remoteStores.js) that openStore requires
// on first use, so that the CLI's start-up never loads ssh2 or the AWS SDK.
export { openSshShell, openSshStore } from './sshStore.js';
export { openS3Store, type S3StoreOptions } from './s3Store.js';
