/**
 * Which CodaJS runtime runs a Jupyter notebook, and which kernelspec an exported notebook names: one table for both
 * directions. Kernels are named by their kernelspec `name`; a notebook from an unknown kernel is read by its
 * language alone.
 */
import type { CodaCellLanguage } from '../../protocol/codaFile';
import type { RuntimeKind } from '../../protocol/messages';
import type { IpynbKernelspec, IpynbNotebook } from './ipynbTypes';

type CodeLanguage = Exclude<CodaCellLanguage, 'markdown'>;

export interface JupyterKernel {
  /** kernelspec names this kernel is installed under (the first is written on export). */
  names: string[];
  runtime: RuntimeKind;
  language: CodeLanguage;
  kernelspec: IpynbKernelspec;
  languageInfo: NonNullable<IpynbNotebook['metadata']['language_info']>;
}

const TS_INFO = { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };
const JS_INFO = { name: 'javascript', file_extension: '.js', mimetype: 'application/javascript' };

/** First match wins on export, so the kernel written for (runtime, language) is the first row that has them. */
export const JUPYTER_KERNELS: readonly JupyterKernel[] = [
  // `deno jupyter --install`: TypeScript and JavaScript in one kernel
  {
    names: ['deno'],
    runtime: 'deno',
    language: 'typescript',
    kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' },
    languageInfo: { ...TS_INFO, mimetype: 'text/x.typescript' },
  },
  // tslab installs two kernels: tslab (TypeScript) and jslab (JavaScript)
  {
    names: ['tslab'],
    runtime: 'node',
    language: 'typescript',
    kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
    languageInfo: TS_INFO,
  },
  // ijavascript (`ijsinstall`) names its kernel `javascript`
  {
    names: ['javascript', 'ijavascript', 'nodejs'],
    runtime: 'node',
    language: 'javascript',
    kernelspec: { name: 'javascript', display_name: 'JavaScript (Node.js)', language: 'javascript' },
    languageInfo: JS_INFO,
  },
  {
    names: ['jslab'],
    runtime: 'node',
    language: 'javascript',
    kernelspec: { name: 'jslab', display_name: 'JavaScript', language: 'javascript' },
    languageInfo: JS_INFO,
  },
  // itypescript
  {
    names: ['typescript', 'itypescript'],
    runtime: 'node',
    language: 'typescript',
    kernelspec: { name: 'typescript', display_name: 'TypeScript', language: 'typescript' },
    languageInfo: TS_INFO,
  },
];

export type KernelMatch = { runtime: RuntimeKind; language: CodeLanguage; kernel?: JupyterKernel } | { problem: string };

/** The runtime and default cell language of a notebook's kernel. */
export function kernelOf(metadata: IpynbNotebook['metadata']): KernelMatch {
  const spec = metadata.kernelspec;
  const name = typeof spec?.name === 'string' ? spec.name.toLowerCase() : undefined;
  const kernel = JUPYTER_KERNELS.find((k) => name !== undefined && k.names.includes(name));
  if (kernel) return { runtime: kernel.runtime, language: kernel.language, kernel };
  const languages = [spec?.language, metadata.language_info?.name].filter((l): l is string => typeof l === 'string').map((l) => l.toLowerCase());
  if (!languages.length) return { runtime: 'node', language: 'javascript' };
  if (languages.includes('typescript')) return { runtime: 'node', language: 'typescript' };
  if (languages.includes('javascript')) return { runtime: 'node', language: 'javascript' };
  const what = spec?.display_name ?? spec?.name ?? languages[0];
  return { problem: `This notebook is written for the ${JSON.stringify(what)} kernel (${languages[0]}); CodaJS runs JavaScript and TypeScript notebooks only` };
}

/** The kernel an exported notebook names. Bun and the Sandbox have no Jupyter kernel: their notebooks name Node's. */
export function kernelFor(runtime: RuntimeKind, language: CodeLanguage): JupyterKernel {
  const wanted = runtime === 'deno' ? 'deno' : 'node';
  return JUPYTER_KERNELS.find((k) => k.runtime === wanted && (wanted === 'deno' || k.language === language))!;
}
