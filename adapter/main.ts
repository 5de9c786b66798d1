// Debug adapter entry point (DAP over stdio). The session arrives with the debug-adapter issue.
process.stderr.write('rvreplay debug adapter: not implemented yet\n');
process.exitCode = 1;
