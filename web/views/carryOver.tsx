import { type CarryOverReport, describeCarryOver } from '../../src/app/index.js';
import { TableWrap } from './bits.js';

/** A rollback's carry-over: per table what was carried, left over and why; the leftovers file to download. */
export function CarryOverView({ report, deploymentId }: { report: CarryOverReport; deploymentId: number }) {
  return (
    <section aria-labelledby="carry-title">
      <h2 id="carry-title">Rows written since the backup</h2>
      <p>{describeCarryOver(report)}</p>
      {report.leftoversFile && (
        <p>
          <a href={`/deployments/${deploymentId}/leftovers`} download>
            Download the leftovers file
          </a>{' '}
          (plain SQL: <code>psql -d scratch -f FILE</code> loads each section as a table)
        </p>
      )}
      {report.tables.length > 0 && (
        <TableWrap label="Carry-over per table">
          <table>
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Carried</th>
                <th scope="col">Left over</th>
                <th scope="col">Updated</th>
                <th scope="col">Deleted</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {report.tables.map((t) => (
                <tr>
                  <th scope="row">{t.table}</th>
                  <td>{t.carried}</td>
                  <td>{t.leftover}</td>
                  <td>{t.updated}</td>
                  <td>{t.deleted}</td>
                  <td>{t.reasons.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
