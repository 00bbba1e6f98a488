import { ReportPage } from "../features/report/ReportPage";
import { ProvenanceFooter } from "../features/report/components/ProvenanceFooter";
import { Sidebar } from "../features/report/components/Sidebar";

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
