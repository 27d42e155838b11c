// Debug Scratch (e2e): a breakpoint in half(), its local read while paused, and state the kernel keeps after
function half(n) {
  const h = n / 2;
  return h;
}
var runs = (typeof runs === 'number' ? runs : 0) + 1;
half(84);
// %% reads what the runs left in the kernel
runs * 10;
