import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { createEmbeddedApi, createHttpApi } from "./api/client";
import { readEmbeddedReport } from "./api/embedded";
import { App } from "./app/App";
import { AppProviders } from "./app/AppProviders";
import { createQueryClient } from "./app/queryClient";
import "./styles/index.css";
import "./styles/evidence.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// An exported report carries its data; the live page asks the API.
const embedded = readEmbeddedReport();
if (embedded) document.documentElement.dataset.reportMode = "embedded";
const api = embedded ? createEmbeddedApi(embedded) : createHttpApi();

createRoot(root).render(
  <StrictMode>
    <AppProviders api={api} queryClient={createQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
