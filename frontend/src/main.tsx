import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { createHttpApi } from "./api/client";
import { App } from "./app/App";
import { AppProviders } from "./app/AppProviders";
import { createQueryClient } from "./app/queryClient";
import "./styles/index.css";
import "./styles/evidence.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <AppProviders api={createHttpApi()} queryClient={createQueryClient()}>
      <App />
    </AppProviders>
  </StrictMode>,
);
