/** What a secret is shown as, everywhere (its own file so the renderers read it without the scanner). */
export const MASK = '••••••';
