import { strict as assert } from 'node:assert';
import { jsonSafe, terminalSafe } from '../../../host/format/terminalSafe';

describe('terminal-safe text for coda run', () => {
  it('shows control sequences as visible escapes instead of letting the terminal obey them', () => {
    assert.equal(terminalSafe('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
    assert.equal(terminalSafe('\x1b]8;;https://evil.example/\x1b\\link'), '\\x1b]8;;https://evil.example/\\x1b\\link');
    assert.equal(terminalSafe('a\x1b[1A\x1b[2Kb'), 'a\\x1b[1A\\x1b[2Kb');
    assert.equal(terminalSafe('\x1b[?1049h'), '\\x1b[?1049h');
    assert.equal(terminalSafe('\x9b2J\x9d0;t\x9c'), '\\x9b2J\\x9d0;t\\x9c');
    assert.equal(terminalSafe('ab\bc\x00\x7f'), 'ab\\x08c\\x00\\x7f');
    assert.equal(terminalSafe('x \u202eevil\u202c y'), 'x \\u202eevil\\u202c y');
  });

  it('keeps line feeds, tabs, CR LF line ends and ordinary text; shows a lone CR', () => {
    assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
    assert.equal(terminalSafe('a\r\nb'), 'a\nb');
    assert.equal(terminalSafe('curl x | sh\rsafe'), 'curl x | sh\\x0dsafe');
    assert.equal(terminalSafe('héllo → 世界 😀'), 'héllo → 世界 😀');
  });

  it('keeps colours, drops none of the text, resets a colour left on, and refuses "conceal"', () => {
    assert.equal(terminalSafe('\x1b[31mred\x1b[0m'), '\x1b[31mred\x1b[0m\x1b[0m');
    assert.equal(terminalSafe('\x1b[38;5;8mgrey\x1b[39m'), '\x1b[38;5;8mgrey\x1b[39m\x1b[0m', '256-colour 8 is a colour, not conceal');
    assert.equal(terminalSafe('\x1b[38;2;8;8;8mrgb'), '\x1b[38;2;8;8;8mrgb\x1b[0m');
    assert.equal(terminalSafe('a \x1b[8msecret'), 'a \\x1b[8msecret');
    assert.equal(terminalSafe('a \x1b[1;08msecret'), 'a \\x1b[1;08msecret');
    assert.equal(terminalSafe(`\x1b[${'1;'.repeat(40)}m`), `\\x1b[${'1;'.repeat(40)}m`, 'an over-long parameter list is not a colour');
  });

  it('leaves JSON valid and equal while escaping what JSON.stringify leaves raw', () => {
    const value = { s: '\x9b2J \x85 \u2028 \u202e \x7f \x1b]0;t\x07' };
    const text = jsonSafe(JSON.stringify(value));
    assert.doesNotMatch(text, /[\x00-\x1f\x7f-\x9f\u2028\u202e]/);
    assert.deepEqual(JSON.parse(text), value);
  });
});
