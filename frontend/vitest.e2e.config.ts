import { defineConfig } from "vitest/config";

// `CHOREHUB_BASE_URL=http://127.0.0.1:8000 npm run e2e`: the kit against a running server
// (tracking/tests/test_frontend.py starts one and runs this).
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
  },
});
