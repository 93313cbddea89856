export { createTarget } from './create-target.js';
export type { CommonTargetOptions, DirectoryTargetOptions, RcloneTargetOptions, S3TargetOptions, TargetOptions } from './target-options.js';
export type { FolderEntry, GetOptions, OffsiteTarget, PutOptions, PutResult, ReadOptions, RemoteObject, SignalOptions } from './types.js';
export { OffsiteError, isOffsiteError, type OffsiteErrorCode, type OffsiteErrorOptions } from './errors.js';
