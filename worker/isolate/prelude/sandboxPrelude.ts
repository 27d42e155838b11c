/**
 * The prelude's source: the self-contained functions in this folder, stringified and composed into one strict
 * function expression `(host, configJson) => dispatch`, evaluated once per context (SandboxIsolate).
 */
import { SCANNER_OPTIONS } from '../../../protocol/maskSecrets';
import { makeSecretScanner } from '../../../protocol/makeSecretScanner';
import { makeCodec } from './makeCodec';
import { makeConsole } from './makeConsole';
import { makeInspector } from './makeInspector';
import { makeProxyRegistry } from './makeProxyRegistry';
import { makeBlobApis } from './makeBlobApis';
import { makeFetchApis } from './makeFetchApis';
import { makeFormCodec } from './makeFormCodec';
import { makeTextDecoder } from './makeTextDecoder';
import { makeWebApis } from './makeWebApis';
import { preludeMain } from './preludeMain';
import { makeDecoratorRuntime } from '../../runtime/makeDecoratorRuntime';
import { makeBindingGuard } from '../../runtime/makeBindingGuard';
import { makeHtmlEscape } from '../../runtime/makeHtmlEscape';
import { makeDrawTable } from '../../runtime/makeDrawTable';

/** The hook the cell script calls with its meta and body (see cellScript.ts); defined by preludeMain. */
export const RUN_HOOK = '__coda$run';
/** Script name of the prelude: its frames are dropped from stack traces. */
export const PRELUDE_FILENAME = 'coda-sandbox:prelude.js';

let source: string | undefined;

export function sandboxPrelude(): string {
  source ??= `(function (host, configJson) {
  'use strict';
  const makeSecretScanner = ${makeSecretScanner.toString()};
  const makeInspector = (limits, webPreview, append, proxyOf) =>
    (${makeInspector.toString()})(limits, makeSecretScanner(limits.masked || [], ${JSON.stringify(SCANNER_OPTIONS)}), webPreview, append, proxyOf);
  const makeConsole = ${makeConsole.toString()};
  const makeCodec = ${makeCodec.toString()};
  const makeWebApis = (call, timeout, codec) =>
    (${makeWebApis.toString()})(call, timeout, codec, ${makeTextDecoder.toString()}, ${makeBlobApis.toString()}, ${makeFormCodec.toString()}, ${makeFetchApis.toString()});
  const makeDecoratorRuntime = ${makeDecoratorRuntime.toString()};
  const makeBindingGuard = ${makeBindingGuard.toString()};
  const makeHtmlEscape = ${makeHtmlEscape.toString()};
  const makeProxyRegistry = ${makeProxyRegistry.toString()};
  const makeDrawTable = ${makeDrawTable.toString()};
  return (${preludeMain.toString()})(host, configJson, makeInspector, makeConsole, makeCodec, makeWebApis, makeDecoratorRuntime, makeBindingGuard, makeHtmlEscape, makeProxyRegistry, makeDrawTable);
})`;
  return source;
}
