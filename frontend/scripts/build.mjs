// Compiles the live page (src/live.ts, with api.ts and backendEvents.ts) into one classic script,
// tracking/static/tracking/live.js, committed so that `make run` needs no Node.
//
//   npm run build                     writes ../tracking/static/tracking/live.js
//   npm run build -- --outfile x.js   somewhere else (the test compares it with the committed file)
//
// Not minified: the page is the reference for frontend developers, so its script stays readable.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const frontendDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    outfile: {
      type: "string",
      default: path.join(frontendDir, "../tracking/static/tracking/live.js"),
    },
  },
});

await build({
  absWorkingDir: frontendDir,
  entryPoints: ["src/live.ts"],
  outfile: path.resolve(values.outfile),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "// Built from frontend/src/live.ts by `cd frontend && npm run build`: edit the source, not this file.",
  },
});
console.log(`built ${path.relative(process.cwd(), path.resolve(values.outfile))}`);
