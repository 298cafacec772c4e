// Placeholder until the language server lands (issue: the editor).
process.stderr.write('sendcheck: the language server is not built yet\n');
process.exitCode = 2;
