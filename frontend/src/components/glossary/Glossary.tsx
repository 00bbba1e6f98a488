import { GLOSSARY } from "./terms";

import "./glossary.css";

/** Every term the page uses, once, in plain words; each use links here. */
export function Glossary() {
  return (
    <section className="section glossary" aria-labelledby="glossary-heading">
      <h2 id="glossary-heading">Glossary</h2>
      <dl className="glossary__list">
        {GLOSSARY.map((entry) => (
          <div className="glossary__entry" key={entry.id} id={`glossary-${entry.id}`}>
            <dt>{entry.term}</dt>
            <dd>{entry.definition}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
