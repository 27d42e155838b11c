/** sucrase's parser and token names (its ES build), which it ships types for under dist/types but exports no path to. */
declare module 'sucrase/dist/esm/parser' {
  export * from 'sucrase/dist/types/parser/index';
}
declare module 'sucrase/dist/esm/parser/tokenizer/types' {
  export * from 'sucrase/dist/types/parser/tokenizer/types';
}
declare module 'sucrase/dist/esm/parser/tokenizer/keywords' {
  export * from 'sucrase/dist/types/parser/tokenizer/keywords';
}
declare module 'sucrase/dist/esm/parser/tokenizer' {
  export * from 'sucrase/dist/types/parser/tokenizer/index';
}
declare module 'sucrase/dist/esm/NameManager' {
  export { default } from 'sucrase/dist/types/NameManager';
}
declare module 'sucrase/dist/esm/HelperManager' {
  export * from 'sucrase/dist/types/HelperManager';
}
declare module 'sucrase/dist/esm/TokenProcessor' {
  export { default } from 'sucrase/dist/types/TokenProcessor';
}
declare module 'sucrase/dist/esm/transformers/RootTransformer' {
  export { default } from 'sucrase/dist/types/transformers/RootTransformer';
}
declare module 'sucrase/dist/esm/Options' {
  export * from 'sucrase/dist/types/Options';
}
