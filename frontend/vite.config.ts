/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

import openapi from "./openapi.json";

/**
 * What the dev server forwards to a local `python -m backend`: the first segment of every path
 * in the API's schema (openapi.json, written by `npm run generate`, checked by
 * `generate:check`), so a new endpoint needs no change here.
 */
const API_PATHS = [...new Set(Object.keys(openapi.paths).map((path) => `/${path.split("/")[1]}`))];
const API_TARGET = "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: API_TARGET }])),
  },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}", "lint/**/*.test.ts"],
    css: false,
    // Two cores shared with other work: rendering the whole page can take seconds, not a failure.
    testTimeout: 30_000,
  },
});
