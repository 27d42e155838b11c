/**
 * Names of widely used npm packages, for spotting an import one keystroke away from one of them (a typosquat, or a
 * typo that would install a stranger's package). A curated list of long-established packages; it does not need to
 * be complete to catch the common cases, and a name on it is never questioned.
 */
export const POPULAR_PACKAGES: ReadonlySet<string> = new Set(
  `lodash react react-dom express axios chalk commander debug moment uuid dotenv yargs request async bluebird underscore
  fs-extra glob minimist semver rimraf mkdirp colors inquirer body-parser cookie-parser cors jsonwebtoken bcrypt bcryptjs
  mongoose mongodb mysql mysql2 pg redis ioredis sequelize knex typeorm prisma sqlite3 better-sqlite3 nodemailer
  socket.io socket.io-client ws node-fetch cross-fetch isomorphic-fetch got superagent form-data qs querystring
  cheerio jsdom puppeteer playwright selenium-webdriver webpack webpack-cli rollup vite esbuild parcel babel-core
  typescript ts-node tsx eslint prettier jest mocha chai sinon ava vitest jasmine karma nyc supertest nock
  vue vuex vue-router angular svelte next nuxt gatsby preact solid-js lit jquery bootstrap tailwindcss postcss
  autoprefixer sass less styled-components classnames clsx redux react-redux redux-thunk mobx immer zustand rxjs
  date-fns dayjs luxon moment-timezone numeral big.js decimal.js bignumber.js mathjs ramda immutable zod yup joi ajv
  validator class-validator xml2js fast-xml-parser csv-parse papaparse xlsx pdfkit sharp jimp canvas marked
  markdown-it highlight.js prismjs handlebars ejs pug mustache nunjucks chokidar nodemon pm2 concurrently cross-env
  ora listr boxen figlet cli-table3 progress prompts enquirer meow cac execa shelljs which open mime mime-types
  iconv-lite he entities escape-html sanitize-html dompurify striptags slugify pluralize change-case camelcase
  deepmerge lodash.merge object-assign extend clone rfdc fast-deep-equal deep-equal dequal nanoid shortid cuid
  crypto-js node-forge tweetnacl bs58 buffer events stream-browserify path-browserify util assert process
  http-proxy http-proxy-middleware koa koa-router hapi fastify restify nest @nestjs/core @nestjs/common
  graphql apollo-server @apollo/client graphql-tag type-graphql firebase firebase-admin aws-sdk @aws-sdk/client-s3
  googleapis stripe twilio openai @anthropic-ai/sdk langchain @langchain/core tiktoken @tensorflow/tfjs onnxruntime-node
  three d3 chart.js echarts plotly.js leaflet mapbox-gl p5 pixi.js matter-js fabric konva gsap animejs
  electron electron-builder react-native expo @babel/core @babel/preset-env @babel/preset-react @babel/preset-typescript
  @types/node @types/react @types/express @types/lodash @types/jest ts-jest @testing-library/react @testing-library/jest-dom
  winston pino bunyan morgan log4js loglevel signale consola debug-log helmet compression express-session passport
  passport-local passport-jwt multer busboy formidable sharp-cli serve serve-static http-server live-server
  node-cron cron agenda bull bullmq kue amqplib kafkajs mqtt nats zeromq grpc @grpc/grpc-js protobufjs
  ethers web3 bitcoinjs-lib ssh2 ftp basic-ftp archiver adm-zip jszip tar unzipper yauzl yazl node-gyp bindings nan
  ffi-napi ref-napi puppeteer-core axios-retry p-limit p-map p-queue p-retry async-retry retry lru-cache node-cache
  keyv memoizee fast-glob globby micromatch minimatch picomatch ignore find-up pkg-dir read-pkg cosmiconfig rc ini
  js-yaml yaml toml json5 jsonc-parser strip-json-comments flat dot-prop get-value set-value object-path
  source-map source-map-support stack-trace error-stack-parser serialize-error pretty-ms pretty-bytes filesize
  ms humanize-duration string-width strip-ansi ansi-styles ansi-regex wrap-ansi cli-cursor supports-color kleur
  picocolors colorette tinycolor2 color chroma-js qrcode jsqr speakeasy otplib argon2 scrypt-js jose node-jose
  express-validator express-rate-limit rate-limiter-flexible cookie cookies tough-cookie set-cookie-parser
  jsonpath jsonpath-plus json-schema json-schema-to-typescript openapi-types swagger-ui-express fuse.js lunr
  natural compromise franc sentiment string-similarity leven fast-levenshtein diff jsdiff deep-diff`
    .split(/\s+/)
    .filter(Boolean),
);

/** The popular package `name` is one edit away from (a letter added, dropped, changed or two swapped), if any. */
export function nearPopularPackage(name: string): string | undefined {
  if (POPULAR_PACKAGES.has(name) || name.length < 4) return undefined;
  for (const popular of POPULAR_PACKAGES) if (oneEditApart(name, popular)) return popular;
  return undefined;
}

function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diffs: number[] = [];
    for (let i = 0; i < a.length && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 1) return true;
    // two neighbouring letters swapped
    return diffs.length === 2 && diffs[1] === diffs[0]! + 1 && a[diffs[0]!] === b[diffs[1]!] && a[diffs[1]!] === b[diffs[0]!];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}
