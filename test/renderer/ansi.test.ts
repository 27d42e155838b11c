/**
 * Terminal escape sequences in console and error text: SGR styles stay, everything else a terminal would act
 * on is removed, OSC 8 links show their text only, and nothing becomes HTML or a link.
 */
import { strict as assert } from 'node:assert';
import { dumpDom, FakeContext, outputItem } from './dom';
import { MIME_CONSOLE, MIME_ERROR, type ConsoleEntry } from '../../protocol';
import { parseAnsi, stripAnsi } from '../../webview/ansi';
import { activate } from '../../webview/renderer';
import { matchGolden } from '../unit/helpers/golden';

const ESC = '\x1b';
const entry = (text: string): ConsoleEntry => ({ method: 'log', level: 'log', cellId: 'c1', executionId: 1, time: 0, depth: 0, text });
const link = (url: string, text: string, st = '\x07') => `${ESC}]8;;${url}${st}${text}${ESC}]8;;${st}`;

function render(mime: string, data: unknown): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  void activate(new FakeContext()).renderOutputItem(outputItem(mime, data), el);
  return el;
}

describe('ANSI in console output', () => {
  it('removes cursor movement, erase and other CSI sequences', () => {
    const cases: [string, string][] = [
      [`${ESC}[2K${ESC}[1Gprogress 50%`, 'progress 50%'],
      [`a${ESC}[3Ab${ESC}[10;20Hc${ESC}[J${ESC}[0K`, 'abc'],
      [`${ESC}[?25lhidden cursor${ESC}[?25h`, 'hidden cursor'],
      [`${ESC}[s${ESC}[u${ESC}[6n${ESC}[2 qshape`, 'shape'],
      [`\x9b2Kc1 form`, 'c1 form'],
      [`${ESC}7saved${ESC}8 ${ESC}(Bcharset${ESC}=`, 'saved charset'],
    ];
    for (const [input, shown] of cases) assert.equal(stripAnsi(input), shown, JSON.stringify(input));
  });

  it('shows an OSC 8 hyperlink as its text, with either terminator, and drops other OSC, DCS, SOS, PM, APC strings', () => {
    const cases: [string, string][] = [
      [`see ${link('https://example.com', 'the docs')} now`, 'see the docs now'],
      [`see ${link('https://example.com', 'the docs', `${ESC}\\`)} now`, 'see the docs now'],
      [`${ESC}]8;id=x;file:///etc/passwd\x9cC1 link${ESC}]8;;\x9c`, 'C1 link'],
      [`${ESC}]0;window title\x07after`, 'after'],
      [`${ESC}]2;title${ESC}\\after`, 'after'],
      [`${ESC}Pq#0;2;0;0;0#0~~@@vv${ESC}\\sixel gone`, 'sixel gone'],
      [`${ESC}_Gf=100;AAAA${ESC}\\kitty image gone`, 'kitty image gone'],
      [`${ESC}^privacy${ESC}\\${ESC}Xsos${ESC}\\pm and sos gone`, 'pm and sos gone'],
      [`\x90dcs\x9cc1 strings`, 'c1 strings'],
      [`unterminated ${ESC}]8;;https://x.example`, 'unterminated '],
      [`lone escape${ESC}`, 'lone escape'],
    ];
    for (const [input, shown] of cases) assert.equal(stripAnsi(input), shown, JSON.stringify(input));
  });

  it('keeps SGR styles: 16 colours, 256 colours, truecolor (; and : forms), strikethrough, resets', () => {
    assert.deepEqual(parseAnsi(`${ESC}[31;1mred bold${ESC}[22;39m plain`), [
      { text: 'red bold', classes: ['ansi-bold', 'ansi-fg-1'] },
      { text: ' plain', classes: [] },
    ]);
    assert.deepEqual(parseAnsi(`${ESC}[38;5;196mx${ESC}[48;2;1;2;3my`), [
      { text: 'x', classes: [], style: 'color:rgb(255,0,0)' },
      { text: 'y', classes: [], style: 'color:rgb(255,0,0);background-color:rgb(1,2,3)' },
    ]);
    assert.deepEqual(parseAnsi(`${ESC}[38:2::10:20:30mcolon${ESC}[38:5:2m green`), [
      { text: 'colon', classes: [], style: 'color:rgb(10,20,30)' },
      { text: ' green', classes: [], style: 'color:#0dbc79' },
    ]);
    assert.deepEqual(parseAnsi(`${ESC}[9mstruck${ESC}[29m ${ESC}[4mu${ESC}[m`), [
      { text: 'struck', classes: ['ansi-strike'] },
      { text: ' ', classes: [] },
      { text: 'u', classes: ['ansi-underline'] },
    ]);
    assert.deepEqual(parseAnsi(`${ESC}[38;2;999;300;256mclamped`), [{ text: 'clamped', classes: [], style: 'color:rgb(255,255,255)' }]);
  });

  it('keeps styled text whole across removed sequences, and a link inside colour keeps the colour', () => {
    assert.deepEqual(parseAnsi(`${ESC}[32mgo${ESC}[1Ging ${link('https://x.example', 'here')}${ESC}[0m`), [{ text: 'going here', classes: ['ansi-fg-2'] }]);
  });

  it('renders a console line with cursor codes, a link and colours (golden)', () => {
    const el = render(MIME_CONSOLE, {
      entries: [
        entry(`${ESC}[2K${ESC}[1G${ESC}[32m✔${ESC}[39m built in ${ESC}[1m2s${ESC}[22m`),
        entry(`docs: ${link('https://example.com/docs', `${ESC}[4mexample.com/docs${ESC}[24m`)}`),
        entry(`${ESC}]0;my title\x07${ESC}[38;5;208morange${ESC}[0m ${ESC}[9mold${ESC}[29m`),
      ],
    });
    matchGolden('renderer/ansi.txt', `${dumpDom(el)}\n`);
  });

  it('styles an error message with ANSI and removes its other sequences', () => {
    const el = render(MIME_ERROR, {
      error: { name: 'AssertionError', message: `${ESC}[32m+ expected${ESC}[39m ${ESC}[31m- actual${ESC}[39m ${link('https://x.example', 'why')}` },
    });
    assert.equal(el.querySelector('.coda-error-head')!.textContent, 'AssertionError: + expected - actual why');
    assert.ok(el.querySelector('.coda-error-head .ansi-fg-2'), 'green kept');
  });

  it('the list shown after "show all" has no escape sequences', async () => {
    const entries = Array.from({ length: 1500 }, (_, i) => entry(`${ESC}[2K${ESC}[33mline ${i}${ESC}[0m ${link('https://x.example', 'l')}`));
    const el = render(MIME_CONSOLE, { entries });
    (el.querySelector('.coda-show-all') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    const lines = Array.from(el.querySelectorAll('.coda-vline')).map((l) => l.textContent ?? '');
    assert.ok(lines.length > 0);
    for (const line of lines) assert.match(line, /^line \d+ l$/);
  });
});

describe('ANSI cannot make links or HTML', () => {
  let attempts = 0;
  after(() => console.log(`renderer ansi: ${attempts} attempts, 0 crossings`));

  /** Text that tries to become a link, an element or CSS, and what must show instead (text only). */
  const hostile: [text: string, shown: string][] = [
    [link('javascript:alert(1)', 'click me'), 'click me'],
    [link('https://evil.example', '<a href="#x">x</a>'), '<a href="#x">x</a>'],
    [`${ESC}]8;;https://evil.example${ESC}\\<img src=x onerror=alert(1)>${ESC}]8;;${ESC}\\`, '<img src=x onerror=alert(1)>'],
    [`${ESC}[31m<script>alert(1)</script>${ESC}[0m`, '<script>alert(1)</script>'],
    [`${ESC}]1337;File=inline=1:PHN2Zz48L3N2Zz4=\x07inline image`, 'inline image'],
    [`${ESC}[38;2;0;0;0;url(https://evil.example)m styled`, 'rl(https://evil.example)m styled'],
    [`${ESC}[38;2;1;2;3);background:url(x)m css`, ';background:url(x)m css'],
    [`\x9d8;;https://evil.example\x9cc1 link\x9d8;;\x9c`, 'c1 link'],
    [`${ESC}P$q"p${ESC}\\${ESC}_${'A'.repeat(5000)}${ESC}\\after`, 'after'],
    [`${ESC}]8;;https://a.example\x07${ESC}]8;;https://b.example\x07nested${ESC}]8;;\x07`, 'nested'],
  ];

  for (const [i, [text, shown]] of hostile.entries()) {
    it(`attempt ${i + 1}: ${JSON.stringify(text.slice(0, 40))}`, () => {
      const console = render(MIME_CONSOLE, { entries: [entry(text)] });
      const error = render(MIME_ERROR, { error: { name: 'Error', message: text } });
      assert.equal(console.textContent, shown);
      assert.equal(error.textContent, `Error: ${shown}`);
      for (const el of [console, error]) {
        attempts++;
        assert.equal(el.querySelectorAll('a, img, script, svg, iframe').length, 0, 'no element from the text');
        assert.equal(el.querySelectorAll('[href], [onerror], [src]').length, 0, 'no link or handler attribute');
        for (const styled of Array.from(el.querySelectorAll('[style]')))
          assert.match(
            styled.getAttribute('style')!,
            /^(color|background-color):(rgb\(\d+,\d+,\d+\)|#[0-9a-f]{6})(;background-color:(rgb\(\d+,\d+,\d+\)|#[0-9a-f]{6}))?$/,
          );
        assert.doesNotMatch(el.textContent ?? '', /[\x1b\x07\x90-\x9f]/, 'no escape byte in the text');
      }
    });
  }
});
