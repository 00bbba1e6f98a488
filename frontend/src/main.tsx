import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// The global base first (tokens, reset, shared blocks): each component imports its own styles.
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/blocks.css";

import { createEmbeddedApi, createHttpApi } from "./api/client";
import { readEmbeddedReport } from "./api/embedded";
import { App } from "./app/App";
import { AppProviders } from "./app/AppProviders";
import { createQueryClient } from "./app/queryClient";

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
