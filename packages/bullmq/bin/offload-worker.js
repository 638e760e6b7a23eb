#!/usr/bin/env node
// The `offload-worker` command. It lives outside dist/ so that installing the workspace can link it before the
// first build (pnpm warned that dist/cli.js did not exist yet); the command itself is dist/cli.js.
import '../dist/cli.js';
