/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the report API lives; empty means the page's own origin. */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
