// Compiles the pages built from the kit into classic scripts, committed so that `make run` needs
// no Node:
//   live  src/live.ts (the parents' live page at /)   → tracking/static/tracking/live.js
//   kid   src/kid.ts  (a paired tablet's page at /kid/) → devices/static/devices/kid.js
//
//   npm run build                                  writes both
//   npm run build -- --page kid                    only one page
//   npm run build -- --page kid --outfile x.js     one page somewhere else (the test compares it
//                                                  with the committed file); without --page,
//                                                  --outfile is the live page's
//
// Not minified: the pages are the reference for frontend developers, so their scripts stay readable.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const frontendDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const PAGES = {
  live: { entry: "src/live.ts", outfile: "../tracking/static/tracking/live.js" },
  kid: { entry: "src/kid.ts", outfile: "../devices/static/devices/kid.js" },
};

const { values } = parseArgs({
  options: {
    page: { type: "string" },
    outfile: { type: "string" },
  },
});
if (values.page !== undefined && !(values.page in PAGES)) {
  throw new Error(`--page must be one of ${Object.keys(PAGES).join(", ")}`);
}
const names = values.page ? [values.page] : values.outfile ? ["live"] : Object.keys(PAGES);

for (const name of names) {
  const page = PAGES[name];
  const outfile = path.resolve(values.outfile ?? path.join(frontendDir, page.outfile));
  await build({
    absWorkingDir: frontendDir,
    entryPoints: [page.entry],
    outfile,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["es2022"],
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
    banner: {
      js: `// Built from frontend/${page.entry} by \`cd frontend && npm run build\`: edit the source, not this file.`,
    },
  });
  console.log(`built ${path.relative(process.cwd(), outfile)}`);
}
