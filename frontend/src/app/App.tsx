import { ReportPage } from "../features/report/ReportPage";
import { Sidebar } from "../components/layout/Sidebar";
import { ProvenanceFooter } from "../features/report/components/ProvenanceFooter";

/** Page layout: the report, and the menu beside it (after it in reading order). */
export function App() {
  return (
    <div className="layout">
      <main className="layout__main" id="report">
        <ReportPage />
        <ProvenanceFooter />
      </main>
      <Sidebar />
    </div>
  );
}
