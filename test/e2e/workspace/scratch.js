const base = 40;
base + 2;
console.log('hello from scratch');
// %% doubled
base * 2;
