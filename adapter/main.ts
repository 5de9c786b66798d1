// Debug adapter entry point: the DAP session over stdin/stdout (what the extension spawns).
// `node dist/adapter.js --server=PORT` serves it on a TCP port instead, for debugging the adapter.
import { DebugSession } from '@vscode/debugadapter';
import { RvReplaySession } from './session';

DebugSession.run(RvReplaySession);
