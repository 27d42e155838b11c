export * from './channel';
export * from './console';
export * from './errors';
export * from './messages';
export * from './outputs';
export * from './values';
export * from './codaFile';
export * from './codaFormat';
