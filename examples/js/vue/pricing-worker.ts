// The pricing worker: totals the cart lines it is sent.
addEventListener('message', (event: MessageEvent<{ lines: { sku: string; qty: number }[] }>) => {
  postMessage({ total: event.data.lines.reduce((sum, line) => sum + line.qty * 4.5, 0) });
});
