// Debug adapter entry point: the DAP session over stdin/stdout (what the extension spawns).
import { RvReplaySession } from './session';

const session = new RvReplaySession();
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);
