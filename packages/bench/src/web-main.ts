/**
 * Deno and Bun entry: `deno run -A dist/web-main.js '<config json>'` or
 * `bun dist/web-main.js '<config json>'`. Prints one JSON line per tick and
 * a final line with the results (see web-runner.ts).
 * @module
 */
import { runWeb, type WebRunConfig } from './web-runner.js';

const g = globalThis as unknown as { Deno?: { args: string[]; exit(c: number): never }; process?: { argv: string[]; exit(c: number): never } };
const arg = g.Deno ? g.Deno.args[0] : g.process?.argv[2];
const exit = (code: number) => (g.Deno ? g.Deno.exit(code) : g.process?.exit(code));
if (!arg) {
  console.error('usage: web-main.js <config json>');
  exit(2);
} else {
  runWeb(JSON.parse(arg) as WebRunConfig, (line) => console.log(JSON.stringify(line))).then(
    () => exit(0),
    (error) => {
      console.error(error);
      exit(1);
    },
  );
}
