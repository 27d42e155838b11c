/** The agent's own dynamic import of a module URL, with the import attributes a cell wrote (`{ with: { type: 'json' } }`). */
export const importUrl = (url: string, options?: ImportCallOptions): Promise<unknown> => import(url, options);
