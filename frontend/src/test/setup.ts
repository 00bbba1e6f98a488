import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy… waits this long for the page to show something (1 s by default): on a busy two-core
// machine the first render of the whole report takes longer than that.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
