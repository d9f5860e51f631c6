import { defineConfig } from "vitest/config";

// `npm test`: the unit suite, with fake fetch and EventSource; no server needed.
export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "node",
  },
});
