// @vitest-environment node
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ApiError, createHttpApi } from "./client";
import { ROC, SUMMARY } from "../test/fixtures";

/** A tiny real HTTP server standing in for the API's wire format. */
let server: Server;
let baseUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.url === "/summary") return send(200, SUMMARY);
    if (request.url === "/roc/3") return send(200, ROC);
    if (request.url === "/roc/1") return send(404, { detail: "batch 1 has no ROC curve" });
    if (request.url === "/batches") return send(503, { detail: "MLflow at sqlite:///x is down" });
    if (request.url === "/refresh" && request.method === "POST")
      return send(200, { refreshed: true });
    return send(404, { detail: "no route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("createHttpApi", () => {
  it("returns the API's JSON", async () => {
    const api = createHttpApi(baseUrl);
    await expect(api.summary()).resolves.toEqual(SUMMARY);
    await expect(api.roc(3)).resolves.toEqual(ROC);
    await expect(api.refresh()).resolves.toEqual({ refreshed: true });
    expect(seen).toContain("POST /refresh");
  });

  it("turns a 404 ROC into null: the batch simply has no curve", async () => {
    await expect(createHttpApi(baseUrl).roc(1)).resolves.toBeNull();
  });

  it("reports the status and the API's detail on failure", async () => {
    const failure = createHttpApi(baseUrl).batches();
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      status: 503,
      message: "GET /batches failed: HTTP 503 — MLflow at sqlite:///x is down",
    });
  });

  it("says the API could not be reached when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = createHttpApi(`http://127.0.0.1:${port}`).summary();
    await expect(failure).rejects.toMatchObject({ status: undefined });
    await expect(failure).rejects.toThrow(/could not be reached/);
  });
});
