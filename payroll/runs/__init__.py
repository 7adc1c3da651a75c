"""Pay runs: the payment of the contracts due on one pay date of one entity, in steps run by the
Celery workers — collect, compute in chunks (a group/chord), review the anomalies, approve,
render the PDFs, build the SEPA file, post to the ledger, close. `services` holds the steps,
`tasks` the Celery tasks that call them, `anomalies` what questions a payslip."""
