// A scratch file that imports a package: CodaJS installs it before the run, as it does for a notebook.
const isNumber = require('is-number');
isNumber(42);
