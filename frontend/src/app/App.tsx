import { Sidebar } from "../components/layout/Sidebar";
import { PolicyReplay } from "../features/policies/PolicyReplay";
import { ProvenanceFooter } from "../features/report/components/ProvenanceFooter";
import { ReportPage } from "../features/report/ReportPage";

import "./App.css";
import { Glossary } from "../components/glossary/Glossary";

/**
 * Page layout: the report with the policy replay among its sections, and the menu beside it
 * (after it in reading order). Features never import each other: the app puts them together.
 */
export function App() {
  return (
    <div className="layout">
      <main className="layout__main" id="report">
        <ReportPage>
          <PolicyReplay />
        </ReportPage>
        <Glossary />
        <ProvenanceFooter />
      </main>
      <Sidebar />
    </div>
  );
}
