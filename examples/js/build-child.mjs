process.on('message', (build) => {
  process.send({ done: [...(build.targets ?? [])].length });
});
